import { describe, expect, it } from "vitest";

import { startSim } from "./server";
import { CHAT, chatRequest, post, waitFor } from "./test-support";

describe("a call waiting out its latency", () => {
  it("ends when its client leaves: logged client_closed, and no fault or answer follows later", async () => {
    const sim = await startSim({ latencyMs: 300 });
    try {
      // A fault that would be applied after the wait, and would log the call as "fault".
      const left = await post(sim, CHAT, chatRequest("leaving"), { "x-sim-status": "500" }, 50).catch((err: unknown) => err);
      expect(left).toBeInstanceOf(Error);
      await waitFor(
        () => sim.calls(),
        (c) => c.calls[0]?.outcome !== "pending",
      );
      await new Promise((r) => setTimeout(r, 600)); // past the latency
      expect(sim.calls().calls[0]).toMatchObject({ outcome: "client_closed", status: null, fault: "headers" });
    } finally {
      await sim.close();
    }
  });

  it("ends when the sim closes, so close() does not wait for the latency", async () => {
    const sim = await startSim({ latencyMs: 10_000 });
    const pending = post(sim, CHAT, chatRequest("in flight"), {}, 15_000).catch((err: unknown) => err);
    await waitFor(
      () => sim.calls().total,
      (n) => n === 1,
    );
    const started = performance.now();
    await sim.close();
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(await pending).toBeInstanceOf(Error);
  });

  it("answers once the latency has passed", async () => {
    const sim = await startSim({ latencyMs: 120 });
    try {
      const started = performance.now();
      const res = await post(sim, CHAT, chatRequest("patient"));
      expect(res.status).toBe(200);
      expect(performance.now() - started).toBeGreaterThanOrEqual(110);
      expect(sim.calls().calls[0]).toMatchObject({ outcome: "ok", status: 200 });
    } finally {
      await sim.close();
    }
  });
});
