import { randomBytes, randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

import { createHTTPServer } from "@trpc/server/adapters/standalone";
import pino from "pino";

import type { ApiDeps } from "@spellcast/api";
import { appRouter, createCallerFactory, createContext, createGenerationJobs } from "@spellcast/api";
import { createAuth } from "@spellcast/auth";
import type { Caller } from "@spellcast/core";
import { createEventHub, grantStartingCredits } from "@spellcast/core";
import { createDb, dropDatabase, migrateDatabase, users } from "@spellcast/db";
import { createProducers, createRedisConnection, QueueName, runGenerationJob, waitForRedisReady } from "@spellcast/queue";
import { startSim } from "@spellcast/sim";
import { createLocalStorage } from "@spellcast/storage";

import { parseWorkerEnv } from "../apps/worker/src/env";
import { processors } from "../apps/worker/src/processors";
import type { ProcessorRegistry } from "../apps/worker/src/processors";
import { processRunGeneration } from "../apps/worker/src/processors/run-generation";
import { startWorker } from "../apps/worker/src/start-worker";

// End-to-end generations per second with the sim at zero latency: tRPC `generations.create`
// (core transaction, then enqueue) → the real worker (in this process, its own connections) → sim
// over HTTP → PNG to a temp folder → completeSession → NOTIFY → one LISTEN hub → `events.stream`
// served over real HTTP (tRPC's standalone adapter, SSE) → an SSE reader per user. A generation's
// time is from the create call to its `session_completed` arriving on the SSE stream. Event latency
// is that arrival minus the moment the worker's processor returned after `completeSession`
// committed (same process, same clock; the processor is wrapped, not changed). Auth is bypassed:
// each request's caller comes from an `x-bench-user` header.

const N = Number(process.env.BENCH_GENERATIONS_N ?? 300);
const CONCURRENCY = Number(process.env.BENCH_GENERATIONS_CONCURRENCY ?? 16);
const WORKER_CONCURRENCY = Number(process.env.BENCH_GENERATIONS_WORKER_CONCURRENCY ?? 16);
const USERS = Number(process.env.BENCH_GENERATIONS_USERS ?? 10);
const TIMEOUT_MS = 180_000;

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
const round = (n: number) => Math.round(n * 10) / 10;

interface SseEvent {
  type: string;
  subjectId?: string;
}

/** Reads a tRPC SSE response: each `data:` line is superjson `{ json: <event> }`. */
async function readSse(body: ReadableStream<Uint8Array>, onEvent: (event: SseEvent, at: number) => void) {
  const decoder = new TextDecoder();
  let buffer = "";
  const reader = body.getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    const at = performance.now();
    buffer += decoder.decode(value, { stream: true });
    let split = buffer.indexOf("\n\n");
    while (split >= 0) {
      const frame = buffer.slice(0, split);
      buffer = buffer.slice(split + 2);
      const data = frame.split("\n").find((l) => l.startsWith("data:"));
      if (data) {
        const parsed = JSON.parse(data.slice(5).trim()) as { json?: SseEvent };
        if (parsed.json && typeof parsed.json.type === "string") onEvent(parsed.json, at);
      }
      split = buffer.indexOf("\n\n");
    }
  }
}

export async function runGenerationsBench(): Promise<Record<string, unknown>> {
  const url = new URL(process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/spellcast");
  url.pathname = `/spellcast_bench_gen_${randomBytes(4).toString("hex")}`;
  const databaseUrl = url.toString();
  const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
  const prefix = `bench_gen_${randomBytes(4).toString("hex")}`;
  await migrateDatabase(databaseUrl);
  const storageDir = await mkdtemp(path.join(tmpdir(), "spellcast-bench-gen-"));
  const sim = await startSim({ port: 0, latencyMs: 0 });
  const app = createDb(databaseUrl, { max: 20, appName: "bench-gen" });
  const listener = createDb(databaseUrl, { max: 1, appName: "bench-gen-listen" });
  const logger = pino({ level: "silent" });
  const eventHub = createEventHub({ sql: listener.sql, logger });
  const producers = createProducers({ redisUrl, prefix });
  const publisher = createRedisConnection(redisUrl, "producer");
  await waitForRedisReady(publisher, 5_000);
  // When each session's completion committed, as the (unchanged) processor returns.
  const committedAt = new Map<string, number>();
  const registry: ProcessorRegistry = {
    ...processors,
    [QueueName.generation]: {
      [runGenerationJob.name]: async (job, deps) => {
        const result = await processRunGeneration(job, deps);
        const sessionId: unknown = job.data?.sessionId;
        if (typeof sessionId === "string") committedAt.set(sessionId, performance.now());
        return result;
      },
    },
  };
  const worker = await startWorker({
    registry,
    env: parseWorkerEnv({
      DATABASE_URL: databaseUrl,
      REDIS_URL: redisUrl,
      REDIS_PREFIX: prefix,
      SIM_URL: sim.url,
      STORAGE_DIR: storageDir,
      WORKER_CONCURRENCY: String(WORKER_CONCURRENCY),
      WORKER_JOBS_IN_FLIGHT: process.env.BENCH_GENERATIONS_JOBS_IN_FLIGHT,
      SWEEP_INTERVAL_MS: "0",
      LOG_LEVEL: "silent",
      SHUTDOWN_TIMEOUT_MS: "2000",
    }),
  });
  const readers: AbortController[] = [];
  let server: ReturnType<typeof createHTTPServer> | undefined;
  try {
    const userIds = Array.from({ length: USERS }, (_, i) => `bench_gen_${i}_${randomBytes(4).toString("hex")}`);
    await app.db.insert(users).values(userIds.map((id) => ({ id, name: id, email: `${id}@bench.spellcast` })));
    for (const userId of userIds) await grantStartingCredits(app.db, { userId, amount: 100_000 });

    const deps: ApiDeps = {
      db: app.db,
      auth: createAuth({ db: app.db, baseURL: "http://localhost:3000", secret: randomBytes(32).toString("hex"), rateLimit: false }),
      logger,
      checkHealth: () => Promise.reject(new Error("no health checks in the bench")),
      eventHub,
      storage: createLocalStorage(storageDir),
      generationJobs: createGenerationJobs({ producers, publisher }),
      generationConfig: { maxAttempts: 3, holdMs: 30 * 60_000 },
    };
    const callerOf = (userId: string): Caller => ({ id: userId, name: userId, email: `${userId}@bench.spellcast`, role: "user", via: "session" });
    const contextFor = (headers: Headers) => {
      const userId = headers.get("x-bench-user") ?? "";
      return { ...createContext(deps, headers), getCaller: async () => (userId ? callerOf(userId) : null) };
    };
    server = createHTTPServer({
      router: appRouter,
      createContext: ({ req }) => {
        const headers = new Headers();
        for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
        return contextFor(headers);
      },
    });
    await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    // One SSE stream per user, over HTTP, like a browser tab.
    const startedAt = new Map<string, number>();
    const e2e: number[] = [];
    const eventLatency: number[] = [];
    const done = new Set<string>();
    let lastDoneAt = 0;
    const cursors = new Set<string>();
    const input = encodeURIComponent(JSON.stringify({ json: { lastEventId: null } }));
    for (const userId of userIds) {
      const ac = new AbortController();
      readers.push(ac);
      const res = await fetch(`${base}/events.stream?input=${input}`, { headers: { "x-bench-user": userId }, signal: ac.signal });
      if (!res.ok || !res.body) throw new Error(`events.stream answered ${res.status}`);
      void readSse(res.body, (event, at) => {
        if (event.type === "cursor") cursors.add(userId);
        if (event.type !== "session_completed" || !event.subjectId || done.has(event.subjectId)) return;
        const t0 = startedAt.get(event.subjectId);
        if (t0 === undefined) return;
        done.add(event.subjectId);
        lastDoneAt = at;
        e2e.push(at - t0);
        const committed = committedAt.get(event.subjectId);
        if (committed !== undefined) eventLatency.push(at - committed);
      }).catch(() => undefined);
    }
    while (cursors.size < USERS) await new Promise((r) => setTimeout(r, 10));

    const createCaller = createCallerFactory(appRouter);
    const t0 = performance.now();
    let next = 0;
    const submitter = async () => {
      for (let i = next++; i < N; i = next++) {
        const userId = userIds[i % USERS] ?? "";
        const caller = createCaller(contextFor(new Headers({ "x-bench-user": userId })));
        const before = performance.now();
        const session = await caller.generations.create({ prompt: `bench ${i}`, params: { size: "512x512" }, clientKey: randomUUID() });
        startedAt.set(session.id, before);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, submitter));
    const deadline = Date.now() + TIMEOUT_MS;
    while (done.size < N && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    if (done.size < N) throw new Error(`only ${done.size}/${N} generations completed within ${TIMEOUT_MS} ms`);

    const seconds = (lastDoneAt - t0) / 1000;
    const sorted = [...e2e].sort((a, b) => a - b);
    const lat = [...eventLatency].sort((a, b) => a - b);
    return {
      generations: {
        n: N,
        perSec: round(N / seconds),
        p50Ms: round(percentile(sorted, 50)),
        p99Ms: round(percentile(sorted, 99)),
        eventP50Ms: round(percentile(lat, 50)),
        eventP99Ms: round(percentile(lat, 99)),
        concurrency: CONCURRENCY,
        workerConcurrency: WORKER_CONCURRENCY,
        users: USERS,
      },
    };
  } finally {
    for (const ac of readers) ac.abort();
    await worker.stop("bench done");
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await eventHub.close();
    await producers.close();
    await deleteKeys(publisher, prefix);
    publisher.disconnect();
    await sim.close();
    await listener.close();
    await app.close();
    await dropDatabase(databaseUrl);
    await rm(storageDir, { recursive: true, force: true });
  }
}

async function deleteKeys(redis: ReturnType<typeof createRedisConnection>, prefix: string) {
  let cursor = "0";
  do {
    const [nextCursor, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
    cursor = nextCursor;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== "0");
}
