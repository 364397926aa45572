import { describe, expect, it } from "vitest";

import { createJobDepth } from "./job-depth";

const feed = (depth: ReturnType<typeof createJobDepth>, n: number, sample: { callMs: number; outsideMs: number }) => {
  for (let i = 0; i < n; i++) depth.record(sample);
};

describe("job depth (jobs BullMQ hands the worker)", () => {
  it("starts at 3 per slot and sets the attached worker's concurrency as it changes", () => {
    const depth = createJobDepth({ slots: 10 });
    const worker = { concurrency: 1 };
    depth.attach(worker);
    expect(worker.concurrency).toBe(30);
    feed(depth, 200, { callMs: 50, outsideMs: 150 });
    // 10 × (1 + 150/50) × 1.6 headroom
    expect(depth.current()).toBe(64);
    expect(worker.concurrency).toBe(64);
  });

  it("short calls with long commits around them take more jobs, never more than 8 per slot", () => {
    const depth = createJobDepth({ slots: 50 });
    feed(depth, 200, { callMs: 50, outsideMs: 200 });
    expect(depth.current()).toBe(400);
    feed(depth, 500, { callMs: 5, outsideMs: 200 });
    expect(depth.current()).toBe(400);
  });

  it("calls of seconds take barely more jobs than slots, so no worker sits on a queue another could run", () => {
    const depth = createJobDepth({ slots: 50 });
    feed(depth, 500, { callMs: 5_000, outsideMs: 200 });
    expect(depth.current()).toBe(Math.ceil(50 * (1 + 200 / 5_000) * 1.6));
    expect(depth.current()).toBeLessThan(2 * 50);
  });

  it("follows a change of call times within a few hundred jobs", () => {
    const depth = createJobDepth({ slots: 20 });
    feed(depth, 300, { callMs: 2_000, outsideMs: 100 });
    const slow = depth.current();
    feed(depth, 300, { callMs: 50, outsideMs: 100 });
    expect(slow).toBeLessThan(40);
    expect(depth.current()).toBeGreaterThan(80);
  });

  it("ignores samples without a call, and a fixed WORKER_JOBS_IN_FLIGHT never moves", () => {
    const measured = createJobDepth({ slots: 10 });
    measured.record({ callMs: 0, outsideMs: 100 });
    measured.record({ callMs: Number.NaN, outsideMs: 100 });
    measured.record({ callMs: 10, outsideMs: -1 });
    expect(measured.current()).toBe(30);

    const fixed = createJobDepth({ slots: 10, fixed: 12 });
    const worker = { concurrency: 1 };
    fixed.attach(worker);
    feed(fixed, 100, { callMs: 5, outsideMs: 500 });
    expect([fixed.current(), worker.concurrency]).toEqual([12, 12]);
  });
});
