import { describe, expect, it } from "vitest";

import { failureReasonLabel, joinClause } from "./failure-reason";

describe("failure wording", () => {
  it("a reason code reads as words a user understands", () => {
    expect(failureReasonLabel("provider_error")).toBe("The provider refused or failed the request");
    expect(failureReasonLabel("some_new_code")).toBe("Some new code");
  });

  it("a message ending in a stop takes a clause after it without doubled punctuation", () => {
    expect(joinClause("The service is temporarily overloaded.", ", retrying in 1 s")).toBe("The service is temporarily overloaded, retrying in 1 s");
    expect(joinClause("Bad gateway", ", retrying in 2 s")).toBe("Bad gateway, retrying in 2 s");
  });
});
