import { describe, expect, it } from "vitest";

import { fileProgress, groupSize, matchOutcomes, takeGroup } from "./upload-groups";

const queued = (...sizes: number[]) => sizes.map((size, i) => ({ id: `f${i}`, file: { size } }));

describe("upload groups", () => {
  it("takes files from the front up to the file and byte limits; a file over the byte limit goes alone", () => {
    const queue = queued(1, 1, 1, 5, 9, 1);
    expect(takeGroup(queue, 2, 4).map((q) => q.id)).toEqual(["f0", "f1"]);
    expect(takeGroup(queue, 2, 4).map((q) => q.id)).toEqual(["f2"]);
    expect(takeGroup(queue, 2, 4).map((q) => q.id)).toEqual(["f3"]);
    expect(takeGroup(queue, 2, 4).map((q) => q.id)).toEqual(["f4"]);
    expect(takeGroup(queue, 2, 4).map((q) => q.id)).toEqual(["f5"]);
    expect(takeGroup(queue, 2, 4)).toEqual([]);
  });

  it("the files waiting spread over the free requests, up to the most a request takes", () => {
    expect([groupSize(45, 3), groupSize(30, 2), groupSize(15, 1)]).toEqual([15, 15, 15]);
    expect(groupSize(2_000, 3)).toBe(50);
    expect(groupSize(60, 1)).toBe(50);
    expect(groupSize(10, 1)).toBe(10);
    expect([groupSize(1, 3), groupSize(5, 3)]).toEqual([1, 2]);
  });

  it("a request's files have places that follow one another: a request names only its first", () => {
    const placed = (...places: (number | undefined)[]) => places.map((place, i) => ({ id: `p${i}`, file: { size: 1 }, place }));
    // Two reservations (0–2 and 7–8) and files placed as they land, one after another in the queue.
    const queue = placed(0, 1, 2, 7, 8, undefined, undefined);
    expect(takeGroup(queue, 10, 100).map((q) => q.place)).toEqual([0, 1, 2]);
    expect(takeGroup(queue, 10, 100).map((q) => q.place)).toEqual([7, 8]);
    expect(takeGroup(queue, 10, 100).map((q) => q.id)).toEqual(["p5", "p6"]);
    expect(takeGroup(queue, 10, 100)).toEqual([]);
  });

  it("splits a request's progress over its files by their bytes, in order", () => {
    expect(fileProgress([100, 300], 0)).toEqual([0, 0]);
    expect(fileProgress([100, 300], 0.25)).toEqual([1, 0]);
    expect(fileProgress([100, 300], 0.625)).toEqual([1, 0.5]);
    expect(fileProgress([100, 300], 1)).toEqual([1, 1]);
  });

  it("matches the server's answer to the files: refused by name (first come first), the rest added in order", () => {
    const image = (fileName: string) => ({ fileName }) as never;
    const outcomes = matchOutcomes(["a.png", "fake.png", "b.png", "a.png"], {
      added: [image("a.png"), image("b.png")],
      rejected: [
        { name: "fake.png", reason: "not a PNG, JPEG or WebP image" },
        { name: "a.png", reason: "the same image is already in this dataset" },
      ],
    });
    expect(outcomes).toEqual([
      { status: "rejected", reason: "the same image is already in this dataset" },
      { status: "rejected", reason: "not a PNG, JPEG or WebP image" },
      { status: "added", storedAs: "a.png" },
      { status: "added", storedAs: "b.png" },
    ]);
  });
});
