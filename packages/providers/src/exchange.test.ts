import { createServer } from "node:http";
import type { Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { exchange } from "./exchange";

/** A body streamed in 16 KB chunks, one per `gapMs`; `closed` resolves when the client hangs up or it ends. */
interface Streamed {
  sentBytes: number;
  finished: boolean;
  closed: Promise<void>;
}

const CHUNK = 16 * 1024;
const streams = new Map<string, Streamed>();
let server: Server;
let base: string;

function stream(res: ServerResponse, status: number, totalBytes: number, gapMs: number): Streamed {
  const state: Streamed = { sentBytes: 0, finished: false, closed: new Promise((resolve) => res.once("close", () => resolve())) };
  res.writeHead(status, { "content-type": "text/plain", "x-request-id": "req_test" });
  const tick = () => {
    if (res.destroyed) return;
    if (state.sentBytes >= totalBytes) {
      state.finished = true;
      res.end();
      return;
    }
    const size = Math.min(CHUNK, totalBytes - state.sentBytes);
    res.write(Buffer.alloc(size, 0x61));
    state.sentBytes += size;
    setTimeout(tick, gapMs);
  };
  tick();
  return state;
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://test.invalid");
    const status = Number(url.searchParams.get("status") ?? 200);
    const bytes = Number(url.searchParams.get("bytes") ?? 0);
    const gapMs = Number(url.searchParams.get("gap") ?? 0);
    req.resume();
    req.on("end", () => streams.set(url.searchParams.get("id") ?? "", stream(res, status, bytes, gapMs)));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("exchange", () => {
  it("collects a success body whole, across many chunks, with its status and headers", async () => {
    const res = await exchange({ url: `${base}/x?id=ok&bytes=${300 * 1024}`, method: "GET", signal: new AbortController().signal, maxErrorBytes: 1024 });
    expect(res.statusCode).toBe(200);
    expect(res.headers["x-request-id"]).toBe("req_test");
    expect(res.body.byteLength).toBe(300 * 1024);
    expect(res.body.every((b) => b === 0x61)).toBe(true);
  });

  it("keeps an error body to its cap and hangs up instead of downloading the rest", async () => {
    const res = await exchange({
      url: `${base}/x?id=big-error&status=500&bytes=${8 * 1024 * 1024}&gap=1`,
      method: "POST",
      body: "{}",
      signal: new AbortController().signal,
      maxErrorBytes: 64 * 1024,
    });
    expect(res.statusCode).toBe(500);
    expect(res.body.byteLength).toBeGreaterThanOrEqual(64 * 1024);
    expect(res.body.byteLength).toBeLessThan(8 * 1024 * 1024);
    const served = streams.get("big-error");
    await served?.closed;
    expect(served?.finished).toBe(false);
  });

  it("a caller's abort mid-body rejects with its reason and closes the connection", async () => {
    const controller = new AbortController();
    const pending = exchange({ url: `${base}/x?id=slow&bytes=${1024 * 1024}&gap=20`, method: "GET", signal: controller.signal, maxErrorBytes: 1024 });
    await new Promise((resolve) => setTimeout(resolve, 60));
    const reason = new Error("caller gave up");
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    const served = streams.get("slow");
    await served?.closed;
    expect(served?.finished).toBe(false);
  });

  it("an already aborted signal never gets an answer", async () => {
    const controller = new AbortController();
    controller.abort(new Error("too late"));
    await expect(exchange({ url: `${base}/x?id=never&bytes=10`, method: "GET", signal: controller.signal, maxErrorBytes: 1024 })).rejects.toThrow("too late");
  });
});
