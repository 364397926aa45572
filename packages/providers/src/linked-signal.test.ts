import { setTimeout as sleep } from "node:timers/promises";

import { describe, expect, it } from "vitest";

import { linkedSignal } from "./linked-signal";

describe("linkedSignal", () => {
  it("aborts with the reason of whichever source aborts", () => {
    const a = new AbortController();
    const b = new AbortController();
    const link = linkedSignal([a.signal, undefined, b.signal]);
    expect(link.signal.aborted).toBe(false);
    const reason = new Error("canceled");
    b.abort(reason);
    expect(link.signal.aborted).toBe(true);
    expect(link.signal.reason).toBe(reason);
    expect(link.timedOut()).toBe(false);
    link.dispose();
  });

  it("starts aborted when a source already is, and arms no deadline", async () => {
    const a = new AbortController();
    a.abort(new Error("gone"));
    const link = linkedSignal([a.signal], 5);
    expect(link.signal.aborted).toBe(true);
    await sleep(20);
    expect(link.timedOut()).toBe(false);
  });

  it("aborts at the deadline and says so", async () => {
    const a = new AbortController();
    const link = linkedSignal([a.signal], 10);
    await sleep(40);
    expect(link.signal.aborted).toBe(true);
    expect(link.timedOut()).toBe(true);
    expect((link.signal.reason as DOMException).name).toBe("TimeoutError");
  });

  it("after dispose, neither a source nor the deadline aborts it", async () => {
    const a = new AbortController();
    const link = linkedSignal([a.signal], 10);
    link.dispose();
    a.abort();
    await sleep(30);
    expect(link.signal.aborted).toBe(false);
    expect(link.timedOut()).toBe(false);
  });
});
