import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

import type { SimServer } from "./server";
import { startSim } from "./server";
import { CHAT, IMAGES, chatRequest, imageRequest, post, waitFor } from "./test-support";

let sim: SimServer;
beforeAll(async () => {
  sim = await startSim();
});
beforeEach(() => sim.reset());
afterAll(() => sim.close());

describe("fault injection through x-sim-* headers", () => {
  it("x-sim-status answers with that status and a real error envelope", async () => {
    const res = await post(sim, CHAT, chatRequest("hi"), { "x-sim-status": "503" });
    expect(res.status).toBe(503);
    const id = res.headers.get("x-request-id");
    const body = (await res.json()) as { error: { code: string; type: string; message: string } };
    expect(body.error).toMatchObject({ code: "ServiceUnavailable", type: "server_error" });
    expect(body.error.message).toBe(`The service is temporarily overloaded. Request id: ${id}`);
  });

  it("x-sim-body replaces the body, and x-sim-body-size pads the envelope to that size", async () => {
    const custom = await post(sim, CHAT, chatRequest("hi"), { "x-sim-status": "422", "x-sim-body": "<html>no</html>" });
    expect(custom.status).toBe(422);
    expect(await custom.text()).toBe("<html>no</html>");

    const big = await post(sim, IMAGES, imageRequest("p"), { "x-sim-status": "400", "x-sim-body-size": "10240" });
    const text = await big.text();
    expect(Buffer.byteLength(text)).toBe(10240);
    expect((JSON.parse(text) as { error: { code: string } }).error.code).toBe("InvalidParameter");
  });

  it("x-sim-body without a status is a 200 with that body (an unreadable success)", async () => {
    const res = await post(sim, CHAT, chatRequest("hi"), { "x-sim-body": "not json" });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("not json");
  });

  it("x-sim-delay-ms delays the answer", async () => {
    const started = performance.now();
    const res = await post(sim, CHAT, chatRequest("hi"), { "x-sim-delay-ms": "300" });
    expect(res.status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
  });

  it("x-sim-retry-after sends Retry-After, with 429 unless a status is given", async () => {
    const res = await post(sim, CHAT, chatRequest("hi"), { "x-sim-retry-after": "2" });
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("2");
    const withStatus = await post(sim, CHAT, chatRequest("hi"), { "x-sim-retry-after": "5", "x-sim-status": "503" });
    expect(withStatus.status).toBe(503);
    expect(withStatus.headers.get("retry-after")).toBe("5");
  });

  it("x-sim-fail-first fails the first N identical calls, then succeeds", async () => {
    const headers = { "x-sim-fail-first": "2", "x-sim-status": "500" };
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await post(sim, CHAT, chatRequest("same"), headers)).status);
    expect(statuses).toEqual([500, 500, 200, 200]);
    // A different request has its own count.
    expect((await post(sim, CHAT, chatRequest("other"), headers)).status).toBe(500);
  });

  it("x-sim-drop destroys the connection without an answer", async () => {
    await expect(post(sim, CHAT, chatRequest("hi"), { "x-sim-drop": "1" })).rejects.toThrow(TypeError);
    const calls = await waitFor(() => sim.calls(), (c) => c.calls.at(-1)?.outcome === "dropped");
    expect(calls.calls.at(-1)).toMatchObject({ outcome: "dropped", status: null });
  });

  it("x-sim-hang never answers, so the client's timeout fires", async () => {
    const started = performance.now();
    const err = await post(sim, CHAT, chatRequest("hi"), { "x-sim-hang": "true" }, 300).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DOMException);
    expect((err as DOMException).name).toBe("TimeoutError");
    expect(performance.now() - started).toBeLessThan(2_000);
    const calls = await waitFor(() => sim.calls(), (c) => c.calls.at(-1)?.durationMs !== undefined);
    expect(calls.calls.at(-1)).toMatchObject({ outcome: "hung", status: null, fault: "headers" });
  });

  it("a malformed fault header is a 400, not a guess", async () => {
    const res = await post(sim, CHAT, chatRequest("hi"), { "x-sim-status": "abc" });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain("x-sim-status");
  });
});
