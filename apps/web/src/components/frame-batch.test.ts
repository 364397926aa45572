import { describe, expect, it } from "vitest";

import { atMostEvery, createFrameBatch } from "./frame-batch";

/** A scheduler the test advances by hand: one pending frame at most. */
function manualFrames() {
  const pending: Array<() => void> = [];
  return {
    schedule: (run: () => void) => {
      pending.push(run);
      return () => pending.splice(pending.indexOf(run), 1);
    },
    paint: () => pending.splice(0).forEach((run) => run()),
    scheduled: () => pending.length,
  };
}

describe("frame batch", () => {
  it("hands everything pushed before a paint to one flush, in order, and schedules one frame for it", () => {
    const frames = manualFrames();
    const flushed: number[][] = [];
    const batch = createFrameBatch<number>((items) => flushed.push(items), frames.schedule);
    batch.push(1);
    batch.push(2);
    batch.push(3);
    expect(frames.scheduled()).toBe(1);
    expect(flushed).toEqual([]);
    frames.paint();
    batch.push(4);
    frames.paint();
    expect(flushed).toEqual([[1, 2, 3], [4]]);
  });

  it("dispose drops what was buffered and the frame it waited for", () => {
    const frames = manualFrames();
    const flushed: number[][] = [];
    const batch = createFrameBatch<number>((items) => flushed.push(items), frames.schedule);
    batch.push(1);
    batch.dispose();
    expect(frames.scheduled()).toBe(0);
    frames.paint();
    expect(flushed).toEqual([]);
  });
});

describe("frame batch at most every interval", () => {
  it("flushes the first burst at once, then no sooner than the interval after, with everything since", async () => {
    const flushed: number[][] = [];
    const batch = createFrameBatch<number>((items) => flushed.push(items), atMostEvery(60));
    batch.push(0);
    batch.push(1);
    await new Promise((r) => setTimeout(r, 5));
    expect(flushed).toEqual([[0, 1]]);
    batch.push(2);
    batch.push(3);
    await new Promise((r) => setTimeout(r, 20));
    expect(flushed).toEqual([[0, 1]]);
    await new Promise((r) => setTimeout(r, 70));
    expect(flushed).toEqual([[0, 1], [2, 3]]);
  });
});
