import { describe, expect, it } from "vitest";

import { castWithStep, mergeCast, missesStepsBefore, patchCastPages, patchCastPagesWithStep } from "./cast-cache";
import { at, castPages, castSnap, failure, stepSnap, uuid } from "./cast-test-fixtures";

describe("mergeCast", () => {
  it("never moves an ended cast back to active, even when the active snapshot is newer", () => {
    const failed = castSnap(1, { status: "failed", updatedAt: at(5), errorDetails: failure(1) });
    const running = castSnap(1, { status: "running", updatedAt: at(9) });
    expect(mergeCast(failed, running)).toBe(failed);
    expect(mergeCast(running, failed)).toBe(failed);
  });

  it("otherwise the newer updatedAt wins, ties go to the incoming snapshot", () => {
    const older = castSnap(1, { updatedAt: at(1) });
    const newer = castSnap(1, { updatedAt: at(2), currentStep: 1 });
    expect(mergeCast(newer, older)).toBe(newer);
    expect(mergeCast(older, newer)).toBe(newer);
    const twin = castSnap(1, { updatedAt: at(1) });
    expect(mergeCast(older, twin)).toBe(twin);
    expect(mergeCast(undefined, older)).toBe(older);
  });

  it("keeps the longer step list: steps learned from session events survive a newer cast event", () => {
    const patched = castSnap(1, { updatedAt: at(1), stepGenerationIds: [uuid(1), uuid(2)], currentStep: 1 });
    const event = castSnap(1, { updatedAt: at(2), stepGenerationIds: [uuid(1)], currentStep: 0 });
    expect(mergeCast(patched, event)).toMatchObject({ updatedAt: at(2), stepGenerationIds: [uuid(1), uuid(2)], currentStep: 1 });
  });
});

describe("castWithStep", () => {
  const cast = castSnap(1, { stepGenerationIds: [uuid(0x5000)] });

  it("appends the next step announced by its session event and makes it current", () => {
    const next = castWithStep(cast, stepSnap(cast, 1));
    expect(next.stepGenerationIds).toEqual([uuid(0x5000), uuid(0x5001)]);
    expect(next.currentStep).toBe(1);
    // The same event again (or any later event of that step) changes nothing.
    expect(castWithStep(next, stepSnap(cast, 1, { status: "running" }))).toBe(next);
  });

  it("ignores another cast's steps, single generations, and a step it cannot place", () => {
    expect(castWithStep(cast, stepSnap(castSnap(2), 1))).toBe(cast);
    expect(castWithStep(cast, stepSnap(cast, 1, { castId: null, stepIndex: null }))).toBe(cast);
    expect(castWithStep(cast, stepSnap(cast, 3))).toBe(cast);
    expect(missesStepsBefore(cast, stepSnap(cast, 3))).toBe(true);
    expect(missesStepsBefore(cast, stepSnap(cast, 1))).toBe(false);
  });

  it("does not move the current step of an ended cast", () => {
    const canceled = castSnap(1, { status: "canceled", stepGenerationIds: [uuid(0x5000)] });
    expect(castWithStep(canceled, stepSnap(canceled, 1)).currentStep).toBe(0);
  });
});

describe("patchCastPages", () => {
  const c = (n: number) => castSnap(n);

  it("patches a cached cast in place", () => {
    const data = castPages({ casts: [c(3), c(2)], more: false });
    const done = castSnap(2, { status: "completed", updatedAt: at(10), output: { kind: "text", text: "done" } });
    expect(patchCastPages(data, done)?.pages[0]?.items.map((x) => x.status)).toEqual(["running", "completed"]);
  });

  it("inserts a cast it did not have where it belongs, newest first (a cast made in another tab)", () => {
    const data = castPages({ casts: [c(9), c(7)], more: true }, { casts: [c(5), c(3)], more: false });
    expect(patchCastPages(data, c(10))?.pages[0]?.items.map((x) => x.id)).toEqual([c(10).id, c(9).id, c(7).id]);
    expect(patchCastPages(data, c(4))?.pages[1]?.items.map((x) => x.id)).toEqual([c(5).id, c(4).id, c(3).id]);
  });

  it("leaves a cast older than everything loaded to Load more while more pages exist", () => {
    const data = castPages({ casts: [c(9), c(7)], more: true });
    expect(patchCastPages(data, c(1))).toBe(data);
  });

  it("never lists a caption run's cast", () => {
    const data = castPages({ casts: [], more: false });
    expect(patchCastPages(data, castSnap(1, { captionSetId: uuid(0xa) }))).toBe(data);
  });

  it("places a step session in its cast wherever it is cached", () => {
    const data = castPages({ casts: [c(9)], more: true }, { casts: [c(5)], more: false });
    const patched = patchCastPagesWithStep(data, stepSnap(c(5), 0));
    expect(patched?.pages[1]?.items[0]?.stepGenerationIds).toEqual([uuid(0x5000)]);
    expect(patched?.pages[0]).toBe(data.pages[0]);
    expect(patchCastPagesWithStep(data, stepSnap(c(4), 0))).toBe(data);
  });
});
