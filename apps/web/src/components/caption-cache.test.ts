import { describe, expect, it } from "vitest";

import type { CaptionSetSnapshot, CaptionSnapshot } from "@spellcast/core/captions/schema";

import { mergeCaption, mergeCaptions, mergeRuns } from "./caption-cache";

const set = (done: number, updatedAt: string): CaptionSetSnapshot => ({
  id: "00000000-0000-4000-8000-000000000001",
  datasetId: "00000000-0000-4000-8000-000000000002",
  spellId: "00000000-0000-4000-8000-000000000003",
  status: "in_progress",
  total: 3,
  done,
  failed: 0,
  budget: null,
  spent: done * 3,
  createdAt: "2026-01-01T00:00:00.000Z",
  updatedAt,
  completedAt: null,
});
const caption = (i: number, status: CaptionSnapshot["status"], updatedAt: string): CaptionSnapshot => ({
  id: `00000000-0000-4000-8000-00000000010${i}`,
  captionSetId: "00000000-0000-4000-8000-000000000001",
  imageId: `00000000-0000-4000-8000-00000000020${i}`,
  imageIndex: i,
  fileName: `${i}.png`,
  status,
  text: status === "done" ? `caption ${i}` : null,
  castId: null,
  creditsCharged: status === "done" ? 3 : 0,
  failure: null,
  updatedAt,
});

describe("caption cache merge", () => {
  it("patches a row in place, inserts a missing one in image order, and never rolls back to an older snapshot", () => {
    const data = { set: set(0, "2026-01-01T00:00:01.000Z"), captions: [caption(0, "pending", "t0"), caption(2, "pending", "t0")] };
    const one = mergeCaption(data, caption(2, "done", "t1"), set(1, "2026-01-01T00:00:02.000Z"));
    expect(one.captions.map((c) => [c.imageIndex, c.status])).toEqual([[0, "pending"], [2, "done"]]);
    const two = mergeCaption(one, caption(1, "done", "t1"), set(2, "2026-01-01T00:00:03.000Z"));
    expect(two.captions.map((c) => c.imageIndex)).toEqual([0, 1, 2]);
    const stale = mergeCaption(two, caption(2, "pending", "t0"), set(1, "2026-01-01T00:00:02.500Z"));
    expect(stale.set.done).toBe(2);
    expect(stale.captions[2]?.status).toBe("done");
  });
});

describe("caption cache batch merge", () => {
  it("applies a burst of captions in one pass: the newest snapshot per row wins, missing rows go in image order", () => {
    const data = { set: set(0, "2026-01-01T00:00:01.000Z"), captions: [caption(0, "pending", "t0"), caption(3, "pending", "t0")] };
    const merged = mergeCaptions(
      data,
      [caption(3, "done", "t2"), caption(1, "done", "t1"), caption(3, "pending", "t1"), caption(0, "done", "t1")],
      set(3, "2026-01-01T00:00:04.000Z"),
    );
    expect(merged.captions.map((c) => [c.imageIndex, c.status, c.updatedAt])).toEqual([
      [0, "done", "t1"],
      [1, "done", "t1"],
      [3, "done", "t2"],
    ]);
    expect(merged.set.done).toBe(3);
  });

  it("keeps the rows nothing changed, and returns the same data when nothing changed at all", () => {
    const data = { set: set(1, "2026-01-01T00:00:02.000Z"), captions: [caption(0, "done", "t1"), caption(1, "pending", "t0")] };
    const patched = mergeCaptions(data, [caption(1, "done", "t1")], null);
    expect(patched.captions[0]).toBe(data.captions[0]);
    expect(patched.captions[1]?.status).toBe("done");
    expect(mergeCaptions(data, [caption(0, "pending", "t0")], set(0, "2026-01-01T00:00:01.000Z"))).toBe(data);
  });
});

describe("a dataset's list of runs", () => {
  const other = (done: number, updatedAt: string): CaptionSetSnapshot => ({ ...set(done, updatedAt), id: "00000000-0000-4000-8000-000000000009" });

  it("takes the newest snapshot of each run it lists and keeps the rest as they were", () => {
    const runs = [set(1, "2026-01-01T00:00:02.000Z"), other(3, "2026-01-01T00:00:01.000Z")];
    const merged = mergeRuns(runs, [set(2, "2026-01-01T00:00:03.000Z"), set(3, "2026-01-01T00:00:04.000Z"), set(0, "2026-01-01T00:00:00.000Z")]);
    expect(merged.unknown).toBe(false);
    expect(merged.runs.map((r) => r.done)).toEqual([3, 3]);
    expect(merged.runs[1]).toBe(runs[1]);
  });

  it("returns the same list when nothing is newer, and says when a run is not listed yet", () => {
    const runs = [set(2, "2026-01-01T00:00:02.000Z")];
    expect(mergeRuns(runs, [set(1, "2026-01-01T00:00:01.000Z")])).toEqual({ runs, unknown: false });
    expect(mergeRuns(runs, [set(1, "2026-01-01T00:00:01.000Z")]).runs).toBe(runs);
    expect(mergeRuns(runs, [other(1, "2026-01-01T00:00:05.000Z")]).unknown).toBe(true);
  });
});
