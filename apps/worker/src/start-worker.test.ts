import { randomUUID } from "node:crypto";

import { QueueName, createProducers, createRedisConnection, echoJob, enqueue, readWorkerHeartbeats, waitForRedisReady } from "@spellcast/queue";
import type { Producers } from "@spellcast/queue";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { testEnv } from "../../../tooling/test/env";
import { parseWorkerEnv } from "./env";
import { startWorker } from "./start-worker";
import type { RunningWorker } from "./start-worker";
import { waitForJobState } from "./test-helpers";

// A prefix of our own under the run's prefix: other test files run workers on the same queue names.
const { redisUrl, redisPrefix, databaseUrl } = testEnv();
const prefix = `${redisPrefix}_startworker`;
const env = (overrides: Record<string, string> = {}) =>
  parseWorkerEnv({
    REDIS_URL: redisUrl,
    REDIS_PREFIX: prefix,
    DATABASE_URL: databaseUrl,
    LOG_LEVEL: "silent",
    // The test database is shared by the whole run: no scheduled sweeps of other files' sessions.
    SWEEP_INTERVAL_MS: "0",
    ...overrides,
  });

let producers: Producers;
let redis: Redis;
const started: RunningWorker[] = [];

async function start(overrides: Record<string, string> = {}) {
  const worker = await startWorker({ env: env(overrides) });
  started.push(worker);
  return worker;
}

beforeAll(async () => {
  producers = createProducers({ redisUrl, prefix });
  redis = createRedisConnection(redisUrl, "producer");
  await waitForRedisReady(redis, 5_000);
});

afterAll(async () => {
  await Promise.all(started.map((w) => w.stop("test done")));
  await producers.queue(QueueName.system).obliterate({ force: true });
  await producers.close();
  await redis.quit();
});

describe("startWorker", () => {
  let worker: RunningWorker;
  beforeAll(async () => {
    worker = await start();
  });

  it("processes an echo job enqueued through the typed enqueue and returns its result", async () => {
    const job = await enqueue(producers, echoJob, { message: "hello" }, { jobId: `echo-${randomUUID()}` });
    const done = await waitForJobState(producers.queue(QueueName.system), job.id ?? "", ["completed"]);
    expect(done.returnvalue).toEqual({ echoed: "hello" });
  });

  it("fails a job with an invalid payload once, without retrying (UnrecoverableError)", async () => {
    // Bypass enqueue's validation, as a stale or foreign producer would.
    const job = await producers.queue(QueueName.system).add("echo", { message: 42 }, echoJob.defaultOptions);
    const failed = await waitForJobState(producers.queue(QueueName.system), job.id ?? "", ["failed", "completed"]);
    expect(await failed.getState()).toBe("failed");
    expect(failed.attemptsMade).toBe(1);
    expect(failed.opts.attempts).toBe(3);
    expect(failed.failedReason).toMatch(/invalid echo payload: message/);
  });

  it("fails a job with no processor for its name once", async () => {
    const job = await producers.queue(QueueName.system).add("no-such-job", {}, echoJob.defaultOptions);
    const failed = await waitForJobState(producers.queue(QueueName.system), job.id ?? "", ["failed", "completed"]);
    expect(failed.attemptsMade).toBe(1);
    expect(failed.failedReason).toMatch(/no processor for job "no-such-job"/);
  });

  it("retries a failing job and completes it on attempt 3 (failTimes 2, attempts 3)", async () => {
    const job = await enqueue(producers, echoJob, { message: "third time", failTimes: 2 }, { attempts: 3 });
    const done = await waitForJobState(producers.queue(QueueName.system), job.id ?? "", ["completed", "failed"]);
    expect(await done.getState()).toBe("completed");
    expect(done.returnvalue).toEqual({ echoed: "third time" });
    expect(done.attemptsStarted).toBe(3);
  });

  it("fails for good when failures outnumber attempts", async () => {
    const job = await enqueue(producers, echoJob, { message: "never", failTimes: 5 }, { attempts: 2 });
    const failed = await waitForJobState(producers.queue(QueueName.system), job.id ?? "", ["failed", "completed"]);
    expect(await failed.getState()).toBe("failed");
    expect(failed.attemptsMade).toBe(2);
    expect(failed.failedReason).toBe("echo: planned failure 2 of 5");
  });

  it("advertises itself in the heartbeat while running", async () => {
    const live = await readWorkerHeartbeats(redis, prefix);
    const mine = live.find((h) => h.workerId === worker.workerId);
    expect(mine).toMatchObject({ pid: process.pid });
    expect([...(mine?.queues ?? [])].sort()).toEqual([QueueName.generation, QueueName.maintenance, QueueName.system].sort());
  });
});

describe("stop", () => {
  it("removes the heartbeat on a clean stop", async () => {
    const worker = await start();
    expect((await readWorkerHeartbeats(redis, prefix)).map((h) => h.workerId)).toContain(worker.workerId);
    const report = await worker.stop();
    expect(report).toMatchObject({ clean: true, handedBack: [] });
    expect((await readWorkerHeartbeats(redis, prefix)).map((h) => h.workerId)).not.toContain(worker.workerId);
  });

  it("hands a job that outlives the grace period back to wait, and another worker completes it", async () => {
    // Stop the shared worker first so only `first` can take the job.
    await Promise.all(started.map((w) => w.stop("isolate")));
    const first = await start({ SHUTDOWN_TIMEOUT_MS: "300" });
    const queue = producers.queue(QueueName.system);
    const job = await enqueue(producers, echoJob, { message: "slow", delayMs: 2_000 }, { jobId: `slow-${randomUUID()}` });
    const jobId = job.id ?? "";
    await waitForJobState(queue, jobId, ["active"]);

    const report = await first.stop("test");
    expect(report.handedBack).toEqual([jobId]);
    expect(report.durationMs).toBeLessThan(2_000);
    expect(await (await queue.getJob(jobId))?.getState()).toBe("waiting");

    await start();
    const done = await waitForJobState(queue, jobId, ["completed", "failed"]);
    expect(done.returnvalue).toEqual({ echoed: "slow" });
    // Handing back costs no attempt and is not a failure.
    expect(done.attemptsMade).toBe(1);
    expect(done.attemptsStarted).toBe(2);
    expect(done.failedReason).toBeFalsy();
  });
});
