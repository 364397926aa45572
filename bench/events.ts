import { randomBytes } from "node:crypto";

import pino from "pino";

import type { ApiDeps } from "@spellcast/api";
import { appRouter, createCallerFactory, createContext } from "@spellcast/api";
import { createAuth } from "@spellcast/auth";
import type { Caller } from "@spellcast/core";
import { appendEvent, createEventHub } from "@spellcast/core";
import { createDb, dropDatabase, migrateDatabase, users } from "@spellcast/db";

// Commit-to-subscriber latency of events.stream: 100 live subscriptions, one user each, driven
// through the real tRPC caller, the real event hub (one LISTEN connection) and the real router,
// while 8 concurrent writers append events (one transaction each, appendEvent) round-robin over
// those users at a paced total rate. Latency = time a subscriber's loop receives the event minus
// the time the writer's COMMIT returned (so it can be slightly negative: NOTIFY may beat the ack).
// Auth is the one part bypassed: each context's getCaller returns its bench user directly.

const SUBSCRIBERS = 100;
const WRITERS = 8;
const RATE_PER_SEC = Number(process.env.BENCH_EVENTS_RATE ?? 1000);
const DURATION_MS = Number(process.env.BENCH_EVENTS_MS ?? 10_000);
const WARMUP_MS = 1_000;
const DRAIN_MS = 5_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const noQueue = () => Promise.reject(new Error("not used by the events bench"));

export async function runEventsBench(): Promise<Record<string, unknown>> {
  const url = new URL(process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/spellcast");
  url.pathname = `/spellcast_bench_events_${randomBytes(4).toString("hex")}`;
  const databaseUrl = url.toString();
  await migrateDatabase(databaseUrl);
  const app = createDb(databaseUrl, { max: 20, appName: "bench-events" });
  const writerDb = createDb(databaseUrl, { max: WRITERS, appName: "bench-events-writer" });
  const listener = createDb(databaseUrl, { max: 1, appName: "bench-events-listen" });
  const logger = pino({ level: "silent" });
  const eventHub = createEventHub({ sql: listener.sql, logger });
  // One abort controller per stream (as per request in the web app); `stopAll` ends them all.
  const controllers: AbortController[] = [];
  const stopAll = () => controllers.forEach((c) => c.abort());
  try {
    const userIds = Array.from({ length: SUBSCRIBERS }, (_, i) => `bench_ev_${i}_${randomBytes(4).toString("hex")}`);
    await app.db.insert(users).values(userIds.map((id) => ({ id, name: id, email: `${id}@bench.spellcast` })));

    const deps: ApiDeps = {
      db: app.db,
      auth: createAuth({ db: app.db, baseURL: "http://localhost:3000", secret: randomBytes(32).toString("hex"), rateLimit: false }),
      logger,
      checkHealth: () => Promise.reject(new Error("no health checks in the bench")),
      eventHub,
      // Storage and generations are not exercised by this bench.
      storage: { put: noQueue, get: noQueue, delete: noQueue },
      generationJobs: { enqueue: noQueue, enqueueMany: noQueue, cancelQueued: noQueue, cancelRunning: noQueue },
      generationConfig: { maxAttempts: 3, holdMs: 60_000 },
    };
    const createCaller = createCallerFactory(appRouter);

    const committedAt = new Map<string, number>();
    const latencies: number[] = [];
    const received = new Map<string, string[]>();
    let measuring = false;
    let pendingLatency: Array<[string, number]> = [];

    const subscriber = async (userId: string) => {
      const caller: Caller = { id: userId, name: userId, email: `${userId}@bench.spellcast`, role: "user", via: "session" };
      const ctx = { ...createContext(deps, new Headers()), getCaller: async () => caller };
      const ids: string[] = [];
      received.set(userId, ids);
      const ac = new AbortController();
      controllers.push(ac);
      const stream = await createCaller(ctx, { signal: ac.signal }).events.stream({ lastEventId: null });
      for await (const item of stream) {
        if (!Array.isArray(item) || item[1].type === "cursor") continue;
        const at = performance.now();
        ids.push(item[0]);
        const t0 = committedAt.get(item[0]);
        if (t0 !== undefined) latencies.push(at - t0);
        else pendingLatency.push([item[0], at]); // received before the writer saw its COMMIT return
      }
    };
    let stopping = false;
    const subscriptions = userIds.map((u) => subscriber(u).catch((err: unknown) => (stopping ? undefined : Promise.reject(err))));
    // Wait until every stream has read its cursor (the hub is listening and every loop is parked).
    await sleep(500);
    while (eventHub.stats().subscribers < SUBSCRIBERS) await sleep(20);

    const written = new Map<string, string[]>();
    let next = 0;
    let writeErrors = 0;
    const start = performance.now();
    const stopAt = start + WARMUP_MS + DURATION_MS;
    setTimeout(() => (measuring = true), WARMUP_MS).unref();
    const writer = async (w: number) => {
      for (let k = 0; ; k++) {
        const due = start + ((k * WRITERS + w) * 1000) / RATE_PER_SEC;
        if (due >= stopAt) return;
        const wait = due - performance.now();
        if (wait > 0) await sleep(wait);
        const userId = userIds[next++ % SUBSCRIBERS] ?? "";
        try {
          const id = String(
            await writerDb.db.transaction((tx) =>
              appendEvent(tx, { userId, type: "session_running", subjectId: `s_${k}`, payload: { w, k } }),
            ),
          );
          const doneAt = performance.now();
          if (!written.has(userId)) written.set(userId, []);
          written.get(userId)?.push(id);
          if (measuring) committedAt.set(id, doneAt);
        } catch (err) {
          writeErrors++;
          if (writeErrors <= 3) console.error("bench write error:", err);
        }
      }
    };
    await Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(w)));
    const writeSeconds = (performance.now() - start) / 1000;

    // Let the last events arrive, then check every subscriber got exactly its user's events in order.
    const total = [...written.values()].reduce((n, ids) => n + ids.length, 0);
    const deadline = performance.now() + DRAIN_MS;
    const got = () => [...received.values()].reduce((n, ids) => n + ids.length, 0);
    while (got() < total && performance.now() < deadline) await sleep(20);
    for (const [id, at] of pendingLatency) {
      const t0 = committedAt.get(id);
      if (t0 !== undefined) latencies.push(at - t0);
    }
    pendingLatency = [];
    let wrong = 0;
    for (const userId of userIds) {
      const want = (written.get(userId) ?? []).map(BigInt).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map(String);
      if (JSON.stringify(want) !== JSON.stringify(received.get(userId) ?? [])) wrong++;
    }
    stopping = true;
    stopAll();
    await Promise.all(subscriptions);

    latencies.sort((a, b) => a - b);
    const pct = (p: number) => Math.round((latencies[Math.floor((latencies.length - 1) * p)] ?? 0) * 100) / 100;
    const measured = latencies.length;
    console.log(
      `events: ${SUBSCRIBERS} subscribers (one user each), ${WRITERS} writers at ${RATE_PER_SEC}/s target, ` +
        `${total} written in ${writeSeconds.toFixed(1)} s (${Math.round(total / writeSeconds)}/s), ${got()} received, ` +
        `${wrong} subscribers with a wrong sequence, ${writeErrors} write errors; ` +
        `latency p50 ${pct(0.5)} ms  p90 ${pct(0.9)} ms  p99 ${pct(0.99)} ms  max ${pct(1)} ms  (${measured} measured)`,
    );
    return {
      events: {
        subscribers: SUBSCRIBERS,
        p50Ms: pct(0.5),
        p99Ms: pct(0.99),
        events: measured,
        users: SUBSCRIBERS,
        writeRatePerSec: RATE_PER_SEC,
        wrongSequences: wrong,
        writeErrors,
      },
    };
  } finally {
    stopAll();
    await eventHub.close();
    await listener.close();
    await writerDb.close();
    await app.close();
    await dropDatabase(databaseUrl);
  }
}
