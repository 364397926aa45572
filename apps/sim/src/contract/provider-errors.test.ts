import type { ProviderError } from "@spellcast/providers";
import { MAX_ERROR_BODY_BYTES, createOpenAiChatAdapter, createSeedreamAdapter, isProviderError } from "@spellcast/providers";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

import type { SimServer } from "../server";
import { startSim } from "../server";

/** How every failure the sim can stage reaches a caller of the real adapters. */
let sim: SimServer;
beforeAll(async () => {
  sim = await startSim();
});
beforeEach(() => sim.reset());
afterAll(() => sim.close());

const seedream = (timeoutMs = 5_000) =>
  createSeedreamAdapter({ baseUrl: sim.url, apiKey: "sk-sim", model: "seedream-3-0-t2i", timeoutMs });
const chat = (timeoutMs = 5_000) =>
  createOpenAiChatAdapter({ baseUrl: sim.url, apiKey: "sk-sim", model: "gpt-4o-mini", timeoutMs });

async function imageError(prompt: string, opts: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<ProviderError> {
  const err = await seedream(opts.timeoutMs)
    .generateImage({ prompt, size: "1024x1024" }, { signal: opts.signal })
    .then(() => undefined, (e: unknown) => e);
  if (!isProviderError(err)) throw new Error(`expected a ProviderError, got ${String(err)}`);
  return err;
}

describe("adapter errors against the sim", () => {
  it("a 400 with a 10 KB body is fatal, body cut to 2 KB, message and request id kept", async () => {
    sim.addFaults([{ match: { promptContains: "FATAL400" }, status: 400, bodySize: 10_240 }]);
    const err = await imageError("a cat FATAL400");
    const requestId = sim.calls().calls.at(-1)?.requestId;
    expect(err).toMatchObject({ provider: "seedream", kind: "http", status: 400, retryable: false, code: "InvalidParameter" });
    expect(Buffer.byteLength(err.body)).toBeLessThanOrEqual(MAX_ERROR_BODY_BYTES);
    expect(err.body.startsWith('{"error":')).toBe(true);
    expect(err.requestId).toBe(requestId);
    expect(err.message).toBe(`The request is invalid. Request id: ${requestId}`);
  });

  it("429 with Retry-After: 2 is retryable after 2000 ms", async () => {
    sim.addFaults([{ status: 429, retryAfter: 2 }]);
    const err = await imageError("x");
    expect(err).toMatchObject({ kind: "http", status: 429, retryable: true, retryAfterMs: 2000 });
  });

  it.each([503, 408, 500])("%i is retryable", async (status) => {
    sim.addFaults([{ status }]);
    const err = await imageError("x");
    expect(err).toMatchObject({ kind: "http", status, retryable: true });
  });

  it("a hang becomes a retryable timeout once the adapter's deadline passes", async () => {
    sim.addFaults([{ hang: true }]);
    const started = performance.now();
    const err = await imageError("x", { timeoutMs: 300 });
    expect(err).toMatchObject({ kind: "timeout", retryable: true, status: undefined });
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it("a dropped connection is a retryable network error", async () => {
    sim.addFaults([{ drop: true }]);
    expect(await imageError("x")).toMatchObject({ kind: "network", retryable: true, status: undefined });
  });

  it("a caller abort is kind aborted and not retryable, mid-flight or before the call", async () => {
    sim.addFaults([{ delayMs: 2_000 }]);
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("canceled by user")), 100);
    const started = performance.now();
    expect(await imageError("x", { signal: controller.signal })).toMatchObject({ kind: "aborted", retryable: false });
    expect(performance.now() - started).toBeLessThan(1_500);
    expect(await imageError("x", { signal: AbortSignal.abort() })).toMatchObject({ kind: "aborted", retryable: false });
  });

  it("a 2xx that breaks the wire schema is invalid_response (retryable)", async () => {
    sim.addFaults([
      { match: { promptContains: "NOTJSON" }, body: "<html>gateway</html>" },
      { match: { promptContains: "EMPTY" }, body: JSON.stringify({ created: 1, data: [] }) },
    ]);
    expect(await imageError("NOTJSON")).toMatchObject({ kind: "invalid_response", status: 200, retryable: true });
    const empty = await imageError("EMPTY");
    expect(empty).toMatchObject({ kind: "invalid_response", retryable: true });
    expect(empty.message).toContain("data");
  });

  it("chat errors carry the same classification", async () => {
    sim.addFaults([{ match: { path: "/v1/chat/completions" }, status: 401 }]);
    const err = await chat()
      .complete({ messages: [{ role: "user", content: "hi" }] })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ provider: "openai-chat", kind: "http", status: 401, retryable: false });
  });

  it("a refused connection is a retryable network error", async () => {
    const closed = await startSim();
    const url = closed.url;
    await closed.close();
    const err = await createSeedreamAdapter({ baseUrl: url, model: "m", timeoutMs: 2_000 })
      .generateImage({ prompt: "x", size: "64x64" })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: "network", retryable: true });
    // The socket's code is what an engineer reading the error details needs first.
    expect((err as Error).message).toContain("ECONNREFUSED");
  });
});
