import type { ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";

import { QueueName, createProducers, echoJob, enqueue } from "@spellcast/queue";
import type { Producers } from "@spellcast/queue";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { testEnv } from "../../../tooling/test/env";
import { parseWorkerEnv } from "./env";
import { killGroup, spawnWorkerProcess } from "./spawned-workers";
import type { WorkerProcess } from "./spawned-workers";
import { startWorker } from "./start-worker";
import type { RunningWorker } from "./start-worker";
import { waitForJobState } from "./test-helpers";

const { redisUrl, redisPrefix, databaseUrl } = testEnv();
// Our own prefix under the run's: other test files run workers on the same queue names.
const prefix = `${redisPrefix}_shutdown`;

const children: ChildProcess[] = [];
const inProcess: RunningWorker[] = [];
let producers: Producers;

async function spawnWorker(extraEnv: Record<string, string>): Promise<WorkerProcess> {
  const worker = await spawnWorkerProcess({ REDIS_URL: redisUrl, REDIS_PREFIX: prefix, DATABASE_URL: databaseUrl, SWEEP_INTERVAL_MS: "0", ...extraEnv });
  children.push(worker.child);
  return worker;
}

beforeAll(() => {
  producers = createProducers({ redisUrl, prefix });
});

afterAll(async () => {
  children.forEach(killGroup);
  await Promise.all(inProcess.map((w) => w.stop("test done")));
  await producers.queue(QueueName.system).obliterate({ force: true });
  await producers.close();
});

describe("worker process shutdown on SIGTERM", () => {
  it("lets a running job finish within the grace period, then exits 0", async () => {
    const worker = await spawnWorker({ LOG_LEVEL: "info" });
    const queue = producers.queue(QueueName.system);
    const job = await enqueue(producers, echoJob, { message: "finish me", delayMs: 3_000 }, { jobId: `fin-${randomUUID()}` });
    const jobId = job.id ?? "";
    await waitForJobState(queue, jobId, ["active"]);

    const sentAt = Date.now();
    worker.child.kill("SIGTERM");
    const exit = await worker.exited;

    expect(exit, worker.output()).toMatchObject({ code: 0, signal: null });
    expect(worker.output()).not.toMatch(/"level":(50|60)/);
    expect(exit.at - sentAt).toBeLessThan(30_000);
    const done = await waitForJobState(queue, jobId, ["completed", "failed"], 1_000);
    expect(done.returnvalue).toEqual({ echoed: "finish me" });
    console.info(`shutdown with a 3 s job running: exit after ${exit.at - sentAt} ms`);
  }, 40_000);

  it("hands back a job that outlives SHUTDOWN_TIMEOUT_MS, exits 0 promptly, and the job completes elsewhere", async () => {
    const worker = await spawnWorker({ LOG_LEVEL: "info", SHUTDOWN_TIMEOUT_MS: "1500" });
    const queue = producers.queue(QueueName.system);
    const job = await enqueue(producers, echoJob, { message: "too slow", delayMs: 6_000 }, { jobId: `slow-${randomUUID()}` });
    const jobId = job.id ?? "";
    await waitForJobState(queue, jobId, ["active"]);

    const sentAt = Date.now();
    worker.child.kill("SIGTERM");
    const exit = await worker.exited;

    expect(exit, worker.output()).toMatchObject({ code: 0, signal: null });
    expect(worker.output()).not.toMatch(/"level":(50|60)/);
    // Grace period plus the hand-back and closing steps, well before the job would have finished.
    expect(exit.at - sentAt).toBeLessThan(5_000);
    expect(worker.output()).toContain("grace period over");
    // Not lost: back in wait at once, not merely left active until its lock expires.
    expect(await (await queue.getJob(jobId))?.getState()).toBe("waiting");
    console.info(`shutdown with a 6 s job and a 1.5 s grace period: exit after ${exit.at - sentAt} ms`);

    const next = await startWorker({
      env: parseWorkerEnv({ REDIS_URL: redisUrl, REDIS_PREFIX: prefix, DATABASE_URL: databaseUrl, LOG_LEVEL: "silent", SWEEP_INTERVAL_MS: "0" }),
    });
    inProcess.push(next);
    const done = await waitForJobState(queue, jobId, ["completed", "failed"], 15_000);
    expect(done.returnvalue).toEqual({ echoed: "too slow" });
    expect(done.attemptsMade).toBe(1);
  }, 40_000);
});

describe("worker process configuration", () => {
  it("exits 1 with one line naming a bad variable", async () => {
    const worker = await spawnWorkerProcess({ REDIS_PREFIX: prefix, WORKER_CONCURRENCY: "lots" }, { waitForStart: false });
    children.push(worker.child);
    const { code } = await worker.exited;
    expect(code).toBe(1);
    expect(worker.output().trim().split("\n")).toEqual([expect.stringMatching(/^invalid worker setting WORKER_CONCURRENCY: .*"lots"/)]);
  }, 20_000);
});
