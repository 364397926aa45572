import { describe, expect, it } from "vitest";

import type { CaptionSnapshot } from "@spellcast/core/captions/schema";

import { countByStatus, filterCaptions } from "./caption-filter";

const caption = (i: number, status: CaptionSnapshot["status"], text: string | null = null): CaptionSnapshot => ({
  id: `00000000-0000-4000-8000-00000000010${i}`,
  captionSetId: "00000000-0000-4000-8000-000000000001",
  imageId: `00000000-0000-4000-8000-00000000020${i}`,
  imageIndex: i,
  fileName: `Photo_${i}.PNG`,
  status,
  text,
  castId: null,
  creditsCharged: 0,
  failure: null,
  updatedAt: "t0",
});

const captions = [caption(0, "done", "A red Fox in snow"), caption(1, "failed"), caption(2, "pending"), caption(3, "done", "two cats")];

describe("caption filter", () => {
  it("counts each status and the whole set", () => {
    expect(countByStatus(captions)).toEqual({ all: 4, done: 2, failed: 1, pending: 1 });
  });

  it("keeps one status, and matches file names and caption text in any case", () => {
    expect(filterCaptions(captions, "failed", "").map((c) => c.imageIndex)).toEqual([1]);
    expect(filterCaptions(captions, "all", "  fox ").map((c) => c.imageIndex)).toEqual([0]);
    expect(filterCaptions(captions, "all", "photo_2.png").map((c) => c.imageIndex)).toEqual([2]);
    expect(filterCaptions(captions, "done", "photo").map((c) => c.imageIndex)).toEqual([0, 3]);
    expect(filterCaptions(captions, "pending", "cats")).toEqual([]);
  });
});
