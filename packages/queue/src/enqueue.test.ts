import { randomUUID } from "node:crypto";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { testEnv } from "../../../tooling/test/env";
import { InvalidJobError, enqueue, enqueueMany, validateJobId } from "./enqueue";
import { enqueueGenerations } from "./enqueue-generation";
import { BACKGROUND_PRIORITY } from "./jobs/run-generation";
import { echoJob } from "./jobs/echo";
import { QueueName } from "./names";
import { QueueUnavailableError, createProducers } from "./producers";
import type { Producers } from "./producers";

const { redisUrl, redisPrefix } = testEnv();
const prefix = `${redisPrefix}_enqueue`;
let producers: Producers;

beforeAll(() => {
  producers = createProducers({ redisUrl, prefix });
});

afterAll(async () => {
  await producers.queue(QueueName.system).obliterate({ force: true });
  await producers.close();
});

describe("validateJobId", () => {
  it.each(["gen_123", "echo-abc", "a"])("accepts %s", (id) => expect(() => validateJobId(id)).not.toThrow());
  it.each(["", "12345", "gen:1", "x".repeat(201)])("rejects %j", (id) => {
    expect(() => validateJobId(id)).toThrow(InvalidJobError);
  });
});

describe("enqueue", () => {
  it("adds a validated payload with the definition's default options under the configured prefix", async () => {
    const job = await enqueue(producers, echoJob, { message: "hi", delayMs: 5 });
    expect(job.name).toBe("echo");
    expect(job.queueName).toBe(QueueName.system);
    expect(job.data).toEqual({ message: "hi", delayMs: 5 });
    expect(job.opts).toMatchObject({ attempts: 3, backoff: { type: "fixed", delay: 200 } });
    expect(job.prefix).toBe(prefix);
  });

  it("rejects an invalid payload before anything reaches Redis", async () => {
    const before = await producers.queue(QueueName.system).count();
    // @ts-expect-error: message must be a string; the runtime check backs the type.
    await expect(enqueue(producers, echoJob, { message: 1 })).rejects.toThrow(InvalidJobError);
    await expect(enqueue(producers, echoJob, { message: "x", delayMs: 60_001 })).rejects.toThrow(/delayMs/);
    expect(await producers.queue(QueueName.system).count()).toBe(before);
  });

  it("rejects custom ids with ':' or only digits", async () => {
    await expect(enqueue(producers, echoJob, { message: "x" }, { jobId: "a:b" })).rejects.toThrow(InvalidJobError);
    await expect(enqueue(producers, echoJob, { message: "x" }, { jobId: "42" })).rejects.toThrow(InvalidJobError);
  });

  it("treats a repeated custom id as the same job", async () => {
    const jobId = `dedupe-${randomUUID()}`;
    const first = await enqueue(producers, echoJob, { message: "first" }, { jobId });
    const second = await enqueue(producers, echoJob, { message: "second" }, { jobId });
    expect(second.id).toBe(first.id);
    expect((await producers.queue(QueueName.system).getJob(jobId))?.data).toEqual({ message: "first" });
  });

  it("adds many in one call; one bad payload adds none; a known id stays the job it was", async () => {
    const queue = producers.queue(QueueName.system);
    const known = `bulk-${randomUUID()}`;
    await enqueue(producers, echoJob, { message: "already here" }, { jobId: known });
    const before = await queue.count();
    await expect(
      // @ts-expect-error: message must be a string; the runtime check backs the type.
      enqueueMany(producers, echoJob, [{ payload: { message: "ok" } }, { payload: { message: 2 } }]),
    ).rejects.toThrow(InvalidJobError);
    expect(await queue.count()).toBe(before);

    const ids = [`bulk-${randomUUID()}`, `bulk-${randomUUID()}`, known];
    const jobs = await enqueueMany(producers, echoJob, ids.map((jobId, i) => ({ payload: { message: `m${i}` }, options: { jobId } })));
    expect(jobs.map((j) => j.id)).toEqual(ids);
    expect(await queue.count()).toBe(before + 2);
    expect((await queue.getJob(ids[0] ?? ""))?.data).toEqual({ message: "m0" });
    expect((await queue.getJob(known))?.data).toEqual({ message: "already here" });
  });

  it("a caption run's step goes in as background priority; a generation and a single cast's step with none, so they are taken first", async () => {
    const cast = { castId: randomUUID(), spellId: randomUUID(), stepIndex: 0, datasetId: randomUUID(), imageIndex: 0 };
    const [step, single, generation] = await enqueueGenerations(producers, [
      { sessionId: randomUUID(), userId: "u1", maxAttempts: 3, cast: { ...cast, captionSetId: randomUUID() } },
      { sessionId: randomUUID(), userId: "u1", maxAttempts: 3, cast: { ...cast, captionSetId: null } },
      { sessionId: randomUUID(), userId: "u1", maxAttempts: 3 },
    ]);
    expect([step?.opts.priority, single?.opts.priority, generation?.opts.priority]).toEqual([BACKGROUND_PRIORITY, undefined, undefined]);
    const queue = producers.queue(QueueName.generation);
    expect(await queue.getPrioritizedCount()).toBe(1);
    await queue.obliterate({ force: true });
  });

  it("rejects quickly, without hanging, when Redis is unreachable", async () => {
    const offline = createProducers({ redisUrl: "redis://127.0.0.1:1", prefix }, { readyTimeoutMs: 300 });
    const startedAt = Date.now();
    await expect(enqueue(offline, echoJob, { message: "x" })).rejects.toThrow(QueueUnavailableError);
    expect(Date.now() - startedAt).toBeLessThan(2_000);
    await offline.close();
  });
});

describe("createProducers", () => {
  it("memoises one queue per name", () => {
    expect(producers.queue(QueueName.system)).toBe(producers.queue(QueueName.system));
  });

  it("refuses a prefix that would mix key spaces", () => {
    expect(() => createProducers({ redisUrl, prefix: "" })).toThrow(/invalid queue prefix/);
    expect(() => createProducers({ redisUrl, prefix: "a:b" })).toThrow(/invalid queue prefix/);
  });
});
