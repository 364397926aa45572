import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

import { createGenerationSession, getBalance, getSession, grantCredits, isTerminalStatus } from "@spellcast/core";
import type { SessionSnapshot } from "@spellcast/core";
import { createDb, events, users } from "@spellcast/db";
import { QueueName, createProducers, createRedisConnection, enqueueGeneration, waitForRedisReady } from "@spellcast/queue";
import type { Producers } from "@spellcast/queue";
import { startSim } from "@spellcast/sim";
import type { SimServer } from "@spellcast/sim";
import { asc, eq } from "drizzle-orm";
import type { Redis } from "ioredis";

import { testEnv } from "../../../tooling/test/env";
import { parseWorkerEnv } from "./env";
import type { WorkerEnv } from "./env";
import { createLogger } from "./logger";
import type { SettleDeps } from "./on-failed";
import { startWorker } from "./start-worker";
import type { RunningWorker } from "./start-worker";

// Test-only: one sim, database handle, producers and storage folder per test file, under the file's
// own Redis sub-prefix. Not imported by production code.

export interface GenerationHarness {
  sim: SimServer;
  db: ReturnType<typeof createDb>["db"];
  producers: Producers;
  redis: Redis;
  prefix: string;
  storageDir: string;
  env(overrides?: Record<string, string>): WorkerEnv;
  startWorker(overrides?: Record<string, string>): Promise<RunningWorker>;
  userWith(credits: number): Promise<string>;
  createSession(userId: string, prompt: string, maxAttempts?: number): Promise<SessionSnapshot>;
  submit(userId: string, prompt: string, maxAttempts?: number): Promise<SessionSnapshot>;
  waitForStatus(userId: string, sessionId: string, statuses: readonly string[], timeoutMs?: number): Promise<SessionSnapshot>;
  eventTypes(sessionId: string): Promise<string[]>;
  balance(userId: string): Promise<{ balance: number; held: number }>;
  simCallsFor(marker: string): Array<{ at: number; status: number | null; outcome: string }>;
  /** What `sweepSessions` needs, on the harness's own connections, logging nothing. */
  sweepDeps(): SettleDeps;
  close(): Promise<void>;
}

export async function createGenerationHarness(name: string): Promise<GenerationHarness> {
  const { redisUrl, redisPrefix, databaseUrl } = testEnv();
  const prefix = `${redisPrefix}_${name}`;
  const sim = await startSim({ port: 0 });
  const database = createDb(databaseUrl, { max: 5, appName: `worker-test-${name}` });
  const producers = createProducers({ redisUrl, prefix });
  const redis = createRedisConnection(redisUrl, "producer");
  await waitForRedisReady(redis, 5_000);
  const storageDir = await mkdtemp(path.join(tmpdir(), `spellcast-${name}-`));
  const workers: RunningWorker[] = [];
  const db = database.db;

  const env = (overrides: Record<string, string> = {}) =>
    parseWorkerEnv({
      REDIS_URL: redisUrl,
      REDIS_PREFIX: prefix,
      DATABASE_URL: databaseUrl,
      LOG_LEVEL: "silent",
      SIM_URL: sim.url,
      STORAGE_DIR: storageDir,
      PROVIDER_TIMEOUT_MS: "2000",
      PROVIDER_BACKOFF_BASE_MS: "50",
      PROVIDER_BACKOFF_MAX_MS: "200",
      // The database is shared by every test file of the run: no scheduled sweeps of other files' rows.
      SWEEP_INTERVAL_MS: "0",
      WORKER_CONCURRENCY: "4",
      SHUTDOWN_TIMEOUT_MS: "1000",
      ...overrides,
    });

  const createSession = async (userId: string, prompt: string, maxAttempts = 3) =>
    (
      await createGenerationSession(
        db,
        userId,
        { prompt, params: { size: "512x512" }, clientKey: `ck_${randomUUID()}` },
        { maxAttempts, holdMs: 3_600_000 },
      )
    ).session;

  return {
    sim,
    db,
    producers,
    redis,
    prefix,
    storageDir,
    env,
    sweepDeps: () => ({ db, producers, logger: createLogger({ level: "silent", workerId: "test-sweeper" }) }),
    async startWorker(overrides) {
      const worker = await startWorker({ env: env(overrides) });
      workers.push(worker);
      return worker;
    },
    async userWith(credits) {
      const id = `u_${randomUUID()}`;
      await db.insert(users).values({ id, name: id, email: `${id}@test.spellcast`, role: "user" });
      if (credits > 0) {
        await grantCredits(db, { userId: id, amount: credits, reason: "test", subject: { type: "seed", id }, key: "seed" });
      }
      return id;
    },
    createSession,
    async submit(userId, prompt, maxAttempts = 3) {
      const session = await createSession(userId, prompt, maxAttempts);
      await enqueueGeneration(producers, { sessionId: session.id, userId, maxAttempts });
      return session;
    },
    async waitForStatus(userId, sessionId, statuses, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      let last: SessionSnapshot | undefined;
      while (Date.now() < deadline) {
        last = await getSession(db, { userId, sessionId });
        if (statuses.includes(last.status)) return last;
        if (isTerminalStatus(last.status)) break;
        await sleep(25);
      }
      throw new Error(`session ${sessionId} did not reach ${statuses.join("/")} (last: ${last?.status})`);
    },
    async eventTypes(sessionId) {
      const rows = await db.select({ type: events.type }).from(events).where(eq(events.subjectId, sessionId)).orderBy(asc(events.id));
      return rows.map((r) => r.type);
    },
    async balance(userId) {
      const { balance, held } = await getBalance(db, { userId });
      return { balance, held };
    },
    simCallsFor(marker) {
      return sim
        .calls()
        .calls.filter((c) => c.prompt?.includes(marker))
        .map((c) => ({ at: Date.parse(c.at), status: c.status, outcome: c.outcome }));
    },
    async close() {
      await Promise.all(workers.map((w) => w.stop("test done")));
      for (const name of [QueueName.generation, QueueName.generationDlq, QueueName.maintenance]) {
        await producers.queue(name).obliterate({ force: true });
      }
      await producers.close();
      await redis.quit();
      await sim.close();
      await database.close();
      await rm(storageDir, { recursive: true, force: true });
    },
  };
}
