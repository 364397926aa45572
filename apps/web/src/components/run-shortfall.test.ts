import { describe, expect, it } from "vitest";

import { runShortfall } from "./run-shortfall";

describe("runShortfall", () => {
  it("says nothing when the credits and the budget pay for every image", () => {
    expect(runShortfall({ images: 5, perImage: 3, available: 100, budget: null })).toBeNull();
    expect(runShortfall({ images: 5, perImage: 3, available: 15, budget: 15 })).toBeNull();
    expect(runShortfall({ images: 5, perImage: 3, available: null, budget: null })).toBeNull();
  });

  it("a budget below the estimate: how many whole images it covers, and that the run pauses", () => {
    expect(runShortfall({ images: 4, perImage: 3, available: 100, budget: 7 })).toEqual({
      text: "A budget of 7 credits covers 2 of 4 images; the run then pauses until you raise it.",
      cause: "budget",
    });
    expect(runShortfall({ images: 4, perImage: 3, available: 100, budget: 2 })).toEqual({
      text: "A budget of 2 credits does not cover one image (3 credits each): the run would pause at once.",
      cause: "budget",
    });
  });

  it("fewer credits than the estimate (and than the budget): the credits are what stops it", () => {
    expect(runShortfall({ images: 6, perImage: 3, available: 10, budget: null })).toEqual({
      text: "You have 10 credits available: enough for 3 of 6 images. The run pauses when they run out; resume it once you have more.",
      cause: "credits",
    });
    expect(runShortfall({ images: 6, perImage: 3, available: 10, budget: 15 })?.text).toContain("enough for 3 of 6 images");
    expect(runShortfall({ images: 1, perImage: 3, available: 1, budget: null })).toEqual({
      text: "You have 1 credit available, not enough for one image (3 credits each).",
      cause: "credits",
    });
  });
});
