import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

import type { SimControl } from "./control-client";
import { createSimControl } from "./control-client";
import type { SimServer } from "./server";
import { startSim } from "./server";
import { CHAT, IMAGES, chatRequest, imageRequest, post } from "./test-support";

let sim: SimServer;
let control: SimControl;
beforeAll(async () => {
  sim = await startSim();
  control = createSimControl(sim.url);
});
beforeEach(() => control.reset());
afterAll(() => sim.close());

describe("POST /__sim/faults rules", () => {
  it("promptContains: only matching prompts fail, with the configured status and body size", async () => {
    await control.addFaults({ match: { promptContains: "FATAL400" }, status: 400, bodySize: 10_240 });
    const bad = await post(sim, IMAGES, imageRequest("a cat FATAL400 please"));
    expect(bad.status).toBe(400);
    expect(Buffer.byteLength(await bad.text())).toBe(10_240);
    expect((await post(sim, IMAGES, imageRequest("a cat"))).status).toBe(200);
    // Chat prompts are matched on message text too.
    expect((await post(sim, CHAT, chatRequest("FATAL400"))).status).toBe(400);
  });

  it("match.path and match.model narrow a rule", async () => {
    await control.addFaults([
      { match: { path: CHAT, model: "gpt-4o-mini" }, status: 502 },
      { match: { path: IMAGES }, retryAfter: 3 },
    ]);
    expect((await post(sim, CHAT, chatRequest("x"))).status).toBe(502);
    expect((await post(sim, CHAT, { ...chatRequest("x"), model: "other" })).status).toBe(200);
    const limited = await post(sim, IMAGES, imageRequest("x"));
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("3");
  });

  it("times spends a rule; failFirst counts per distinct request", async () => {
    await control.addFaults([
      { match: { promptContains: "ONCE" }, status: 500, times: 1 },
      { match: { promptContains: "FLAKY" }, failFirst: 2 },
    ]);
    expect((await post(sim, CHAT, chatRequest("ONCE a"))).status).toBe(500);
    expect((await post(sim, CHAT, chatRequest("ONCE b"))).status).toBe(200);

    const run = async (text: string) => (await post(sim, CHAT, chatRequest(text))).status;
    expect([await run("FLAKY 1"), await run("FLAKY 1"), await run("FLAKY 1")]).toEqual([503, 503, 200]);
    expect(await run("FLAKY 2")).toBe(503);
  });

  it("drop, hang and delay work from rules as from headers", async () => {
    await control.addFaults([
      { match: { promptContains: "DROP" }, drop: true },
      { match: { promptContains: "HANG" }, hang: true },
      { match: { promptContains: "SLOW" }, delayMs: 250 },
    ]);
    await expect(post(sim, CHAT, chatRequest("DROP"))).rejects.toThrow(TypeError);
    await expect(post(sim, CHAT, chatRequest("HANG"), {}, 200)).rejects.toMatchObject({ name: "TimeoutError" });
    const started = performance.now();
    expect((await post(sim, CHAT, chatRequest("SLOW"))).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(240);
  });

  it("lists, clears and validates rules", async () => {
    const [id] = await control.addFaults({ match: { model: "m" }, status: 503 });
    const listed = (await (await fetch(`${sim.url}/__sim/faults`)).json()) as { rules: { id: string }[] };
    expect(listed.rules.map((r) => r.id)).toEqual([id]);
    await control.clearFaults();
    expect(sim.state.faults.list()).toEqual([]);
    const typo = await fetch(`${sim.url}/__sim/faults`, { method: "POST", body: JSON.stringify([{ statusCode: 500 }]) });
    expect(typo.status).toBe(400);
  });
});

describe("counters, latency and reset", () => {
  it("counts calls per path and logs each with its status and request id", async () => {
    await post(sim, CHAT, chatRequest("hello"));
    const img = await post(sim, IMAGES, imageRequest("a boat"), { "x-sim-status": "503" });
    const calls = await control.calls();
    expect(calls.counts).toEqual({ [CHAT]: 1, [IMAGES]: 1 });
    expect(calls.total).toBe(2);
    expect(calls.calls[1]).toMatchObject({
      path: IMAGES,
      model: "seedream-3-0-t2i",
      prompt: "a boat",
      status: 503,
      outcome: "fault",
      requestId: img.headers.get("x-request-id"),
    });
    expect((await control.calls(1)).calls).toHaveLength(1);
  });

  it("keeps the last callLogSize calls in the log and counts them all", async () => {
    const small = await startSim({ callLogSize: 2 });
    try {
      for (const prompt of ["one", "two", "three"]) await post(small, CHAT, chatRequest(prompt));
      const calls = await createSimControl(small.url).calls();
      expect(calls.total).toBe(3);
      expect(calls.calls.map((c) => c.prompt)).toEqual([expect.stringContaining("two"), expect.stringContaining("three")]);
    } finally {
      await small.close();
    }
  });

  it("global latency applies to provider calls, is settable, and reset restores it", async () => {
    await control.setLatency(150);
    let started = performance.now();
    await post(sim, CHAT, chatRequest("x"));
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    started = performance.now();
    await control.calls();
    expect(performance.now() - started).toBeLessThan(140);

    await control.addFaults({ status: 500 });
    await control.reset();
    expect((await control.calls()).total).toBe(0);
    expect(sim.state.latencyMs).toBe(0);
    expect((await post(sim, CHAT, chatRequest("x"))).status).toBe(200);
  });
});
