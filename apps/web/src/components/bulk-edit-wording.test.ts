import { describe, expect, it } from "vitest";

import { bulkEditWording } from "./bulk-edit-wording";

describe("bulkEditWording", () => {
  it("names the replacement and the count", () => {
    const wording = bulkEditWording({ kind: "replace", find: "cat", replace: "kitten" });
    expect(wording.title(1)).toBe("Replace “cat” in 1 caption?");
    expect(wording.confirm(1_250)).toBe("Replace in 1,250 captions");
    expect(wording.unchanged).toBe("No caption contains “cat”");
  });

  it("names the trigger word as it will be written (trimmed)", () => {
    const wording = bulkEditWording({ kind: "prefix", word: " sks " });
    expect(wording.title(5)).toBe("Prefix 5 captions with “sks”?");
    expect(wording.confirm(5)).toBe("Prefix 5 captions");
    expect(wording.unchanged).toBe("Every caption already starts with “sks”");
  });
});
