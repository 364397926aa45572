import { describe, expect, it } from "vitest";

import type { PaceReading } from "./caption-pace";
import { addReading, estimateTimeLeftMs, followPace } from "./caption-pace";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** Readings of a run that finished one image every `everyMs`, from `from` images at `start`. */
function watch(start: number, from: number, images: number, everyMs: number): PaceReading[] {
  let readings: PaceReading[] = [];
  for (let i = 0; i <= images; i++) readings = addReading(readings, { at: start + i * everyMs, finished: from + i });
  return readings;
}

describe("time left of a running caption set", () => {
  it("is unknown until the count moves while the page watches", () => {
    const opened = addReading([], { at: 0, finished: 500 });
    expect(estimateTimeLeftMs(opened, 5_000, 500)).toBeNull();
    expect(estimateTimeLeftMs(addReading(opened, { at: 5_000, finished: 500 }), 6_000, 500)).toBeNull();
    // Three images within one tick of the page's clock: no time measured yet.
    expect(estimateTimeLeftMs(addReading(opened, { at: 0, finished: 503 }), 0, 497)).toBeNull();
  });

  it("follows the pace watched, not the time since the set was created", () => {
    // 500 images done yesterday, then the run stood paused overnight; resumed, it does one per second.
    const readings = watch(12 * HOUR, 500, 10, 1_000);
    const left = estimateTimeLeftMs(readings, 12 * HOUR + 10_000, 490);
    expect(left).toBe(490_000);
  });

  it("grows while the run stands still", () => {
    const readings = watch(0, 0, 10, 1_000); // ten images in ten seconds
    const atLastCaption = estimateTimeLeftMs(readings, 10_000, 90);
    const tenSecondsLater = estimateTimeLeftMs(readings, 20_000, 90);
    expect(atLastCaption).toBe(90_000);
    expect(tenSecondsLater).toBe(180_000);
  });

  it("reads the pace over the last minute, so a run that speeds up is estimated at its new pace", () => {
    const slow = watch(0, 0, 10, 10_000); // one image every ten seconds for 100 s
    let readings = slow;
    for (let i = 1; i <= 120; i++) readings = addReading(readings, { at: 100_000 + i * 1_000, finished: 10 + i }); // then one a second
    expect(estimateTimeLeftMs(readings, 220_000, 100)).toBeCloseTo(100_000, -3);
  });

  it("keeps a pace for a run slower than the window: one image every two minutes", () => {
    const readings = watch(0, 0, 3, 2 * MINUTE);
    expect(readings.length).toBeGreaterThanOrEqual(2);
    expect(estimateTimeLeftMs(readings, 6 * MINUTE, 5)).toBe(10 * MINUTE);
  });

  it("restarts when the count goes back, and is zero with nothing left", () => {
    const readings = addReading(watch(0, 0, 5, 1_000), { at: 6_000, finished: 2 });
    expect(readings).toEqual([{ at: 6_000, finished: 2 }]);
    expect(estimateTimeLeftMs(watch(0, 0, 5, 1_000), 5_000, 0)).toBe(0);
  });
});

describe("the pace a progress view follows", () => {
  const view = (finished: number, now: number, running = true, setId = "a") => ({ setId, running, finished, now });

  it("starts from the view's first reading, and takes one each time the count moves", () => {
    let pace = followPace(null, view(10, 1_000));
    pace = followPace(pace, view(11, 2_000));
    pace = followPace(pace, view(12, 3_000));
    expect(pace.readings.map((r) => r.finished)).toEqual([10, 11, 12]);
    expect(estimateTimeLeftMs(pace.readings, 3_000, 88)).toBe(88_000);
  });

  it("after a pause, takes no reading with the clock of before the pause", () => {
    let pace = followPace(null, view(10, 1_000));
    pace = followPace(pace, view(11, 2_000));
    pace = followPace(pace, view(11, 2_000, false)); // paused: the clock stops at 2 s
    pace = followPace(pace, view(11, 2_000)); // resumed an hour later; the clock has not ticked yet
    pace = followPace(pace, view(12, 2_000)); // a caption lands before the first tick: not a reading
    expect(pace.readings).toEqual([]);
    pace = followPace(pace, view(13, HOUR + 1_000)); // after the tick
    pace = followPace(pace, view(14, HOUR + 2_000));
    expect(estimateTimeLeftMs(pace.readings, HOUR + 2_000, 86)).toBe(86_000);
  });

  it("starts over for another set", () => {
    let pace = followPace(null, view(10, 1_000));
    pace = followPace(pace, view(11, 2_000));
    pace = followPace(pace, view(3, 2_000, true, "b"));
    expect(pace.readings).toEqual([]);
    pace = followPace(pace, view(4, 3_000, true, "b"));
    expect(pace.readings).toEqual([{ at: 3_000, finished: 4 }]);
  });
});
