import { describe, expect, it } from "vitest";

import { after, createFrameBatch } from "./frame-batch";

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

describe("frame batch on a timer", () => {
  it("flushes once per interval, after the last item of a burst", async () => {
    const flushed: number[][] = [];
    const batch = createFrameBatch<number>((items) => flushed.push(items), after(20));
    for (let i = 0; i < 5; i++) batch.push(i);
    expect(flushed).toEqual([]);
    await new Promise((r) => setTimeout(r, 40));
    batch.push(5);
    await new Promise((r) => setTimeout(r, 40));
    expect(flushed).toEqual([[0, 1, 2, 3, 4], [5]]);
  });
});
