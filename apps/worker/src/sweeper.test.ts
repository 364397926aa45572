import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";

import { BUILT_IN_CAPTION_SPELL_ID, failSession, markSessionRunning, startCaptionRun } from "@spellcast/core";
import { generationSessions } from "@spellcast/db";
import { BACKGROUND_PRIORITY, QueueName, enqueueGeneration, generationJobId } from "@spellcast/queue";
import { UnrecoverableError, Worker } from "bullmq";
import { eq } from "drizzle-orm";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { testEnv } from "../../../tooling/test/env";
import { captionHarness } from "./caption-test-harness";
import { createGenerationHarness } from "./generation-test-harness";
import type { GenerationHarness } from "./generation-test-harness";
import { LOST_JOB_MESSAGE, STUCK_MESSAGE, sweepSessions } from "./sweeper";
import { waitForJobState } from "./test-helpers";

let h: GenerationHarness;
const logger = pino({ level: "silent" });
const deps = () => ({ db: h.db, producers: h.producers, logger });

beforeAll(async () => {
  h = await createGenerationHarness("sweeper");
});
afterAll(async () => {
  await h?.close();
});

describe("sweeper (no worker running yet)", () => {
  it("a session left running past its deadline whose job Redis lost: back on the queue with the attempts it has left", async () => {
    const userId = await h.userWith(10);
    const session = await h.createSession(userId, "its job lost", 3);
    await markSessionRunning(h.db, { sessionId: session.id, attempt: 1, leaseMs: 1 });
    await sleep(20);

    const report = await sweepSessions(deps(), { userIds: [userId], queuedAfterMs: 60_000 });
    expect(report).toMatchObject({ stuck: [], requeued: [session.id] });
    const queued = await h.waitForStatus(userId, session.id, ["queued"]);
    expect(queued).toMatchObject({ attempts: 1, errorDetails: null });
    expect(queued.attemptLog).toEqual([expect.objectContaining({ attempt: 1, message: LOST_JOB_MESSAGE, providerStatus: null })]);
    expect(await h.eventTypes(session.id)).toEqual(["session_created", "session_running", "session_attempt_failed"]);
    // Its new job goes on from attempt 2, within the 3 the session has.
    const job = await h.producers.queue(QueueName.generation).getJob(generationJobId(session.id));
    expect(job?.data).toMatchObject({ sessionId: session.id, attemptsBefore: 1 });
    expect(job?.opts.attempts).toBe(2);
    expect(await h.balance(userId)).toEqual({ balance: 10, held: 2 });

    // A second sweep finds it queued with its job waiting: nothing to do.
    const again = await sweepSessions(deps(), { userIds: [userId], queuedAfterMs: 0 });
    expect(again).toMatchObject({ stuck: [], requeued: [] });
    await job?.remove();
  });

  it("fails a session left running past its deadline on its last attempt with no job: reason stuck, refunded once", async () => {
    const userId = await h.userWith(10);
    const session = await h.createSession(userId, "abandoned", 1);
    await markSessionRunning(h.db, { sessionId: session.id, attempt: 1, leaseMs: 1 });
    await sleep(20);

    const report = await sweepSessions(deps(), { userIds: [userId], queuedAfterMs: 60_000 });
    expect(report.stuck).toEqual([session.id]);
    const failed = await h.waitForStatus(userId, session.id, ["failed"]);
    expect(failed.errorDetails).toMatchObject({ reason: "stuck", providerMessage: STUCK_MESSAGE, fatal: false, refundedCredits: 2 });
    expect(await h.balance(userId)).toEqual({ balance: 10, held: 0 });

    const again = await sweepSessions(deps(), { userIds: [userId], queuedAfterMs: 60_000 });
    expect(again.stuck).toEqual([]);
    expect((await h.eventTypes(session.id)).filter((t) => t === "session_completed")).toHaveLength(1);
  });

  it("leaves a running session whose job is still live alone", async () => {
    const userId = await h.userWith(10);
    const session = await h.createSession(userId, "still queued in redis");
    await enqueueGeneration(h.producers, { sessionId: session.id, userId, maxAttempts: 3 });
    await markSessionRunning(h.db, { sessionId: session.id, attempt: 1, leaseMs: 1 });
    await sleep(20);
    const report = await sweepSessions(deps(), { userIds: [userId], queuedAfterMs: 60_000 });
    expect(report.stuck).toEqual([]);
    expect((await h.waitForStatus(userId, session.id, ["running"])).status).toBe("running");
    await h.producers.queue(QueueName.generation).remove(generationJobId(session.id));
  });

  it("settles a job that failed for good whose failure handler never ran", async () => {
    const { redisUrl } = testEnv();
    const userId = await h.userWith(10);
    const session = await h.createSession(userId, "handler died");
    // A bare Worker without our failed listener: BullMQ marks the job failed, nobody settles it.
    const bare = new Worker(
      QueueName.generation,
      async () => {
        throw new UnrecoverableError("provider said no");
      },
      { connection: { url: redisUrl, maxRetriesPerRequest: null }, prefix: h.prefix },
    );
    bare.on("error", () => undefined);
    try {
      await enqueueGeneration(h.producers, { sessionId: session.id, userId, maxAttempts: 3 });
      await waitForJobState(h.producers.queue(QueueName.generation), generationJobId(session.id), ["failed"]);
    } finally {
      await bare.close();
    }
    const report = await sweepSessions(deps(), { userIds: [userId], queuedAfterMs: 60_000, failedGraceMs: 0 });
    expect(report.settledFromFailedJobs).toEqual([session.id]);
    const failed = await h.waitForStatus(userId, session.id, ["failed"]);
    expect(failed.errorDetails).toMatchObject({ providerMessage: "provider said no", attempts: 1, refundedCredits: 2 });
    expect(await h.balance(userId)).toEqual({ balance: 10, held: 0 });
  });

  it("retries a refund that failed earlier", async () => {
    const userId = await h.userWith(10);
    const session = await h.createSession(userId, "refund later");
    const [row] = await h.db.select().from(generationSessions).where(eq(generationSessions.id, session.id));
    const reservationId = row?.reservationId ?? null;
    // Make the first release fail (the ledger refuses an unknown reservation), then repair the link.
    await h.db.update(generationSessions).set({ reservationId: randomUUID() }).where(eq(generationSessions.id, session.id));
    const { session: failed } = await failSession(h.db, {
      sessionId: session.id,
      failure: { providerStatus: 503, providerMessage: "busy", providerBody: null, requestId: null, reason: "provider_error", attempts: 3, fatal: false },
    });
    expect(failed.errorDetails?.refundError).toEqual(expect.any(String));
    expect(await h.balance(userId)).toEqual({ balance: 10, held: 2 });
    await h.db.update(generationSessions).set({ reservationId }).where(eq(generationSessions.id, session.id));

    const report = await sweepSessions(deps(), { userIds: [userId], queuedAfterMs: 60_000 });
    expect(report.refundsRetried).toEqual([session.id]);
    expect(await h.balance(userId)).toEqual({ balance: 10, held: 0 });
    const repaired = await h.waitForStatus(userId, session.id, ["failed"]);
    expect(repaired.errorDetails).toMatchObject({ refundError: null, refundedCredits: 2 });
  });
});

describe("sweeper: a caption run's lost step", () => {
  it("goes back as the run's step: its cast in the job, at background priority", async () => {
    const userId = await h.userWith(100);
    const datasetId = await captionHarness(h).datasetWith(userId, 1);
    // The run's first step is created, but its job never reaches Redis.
    const set = await startCaptionRun(h.db, { userId, datasetId, spellId: BUILT_IN_CAPTION_SPELL_ID }, { maxAttempts: 3, holdMs: 3_600_000 }, async () => undefined);
    const report = await sweepSessions(deps(), { userIds: [userId], queuedAfterMs: 0 });
    expect(report.requeued).toHaveLength(1);
    const job = await h.producers.queue(QueueName.generation).getJob(generationJobId(report.requeued[0] ?? ""));
    expect(job?.opts.priority).toBe(BACKGROUND_PRIORITY);
    expect(job?.data).toMatchObject({ userId, cast: { captionSetId: set.id, datasetId, imageIndex: 0, stepIndex: 0 } });
  });
});

describe("sweeper with a worker", () => {
  it("enqueues a queued session whose job never reached Redis, and it completes", async () => {
    await h.startWorker();
    const userId = await h.userWith(10);
    const session = await h.createSession(userId, "lost enqueue");
    expect(await h.producers.queue(QueueName.generation).getJob(generationJobId(session.id))).toBeUndefined();

    const fresh = await sweepSessions(deps(), { userIds: [userId], queuedAfterMs: 60_000 });
    expect(fresh.requeued).toEqual([]);
    const report = await sweepSessions(deps(), { userIds: [userId], queuedAfterMs: 0 });
    expect(report.requeued).toEqual([session.id]);
    await h.waitForStatus(userId, session.id, ["completed"]);
    expect(await h.balance(userId)).toEqual({ balance: 8, held: 0 });
    expect(h.simCallsFor("lost enqueue")).toHaveLength(1);
  });

  it("a session whose job Redis lost, then 503 every time: only the attempts left run, and it fails at 3 of 3", async () => {
    await h.startWorker();
    const userId = await h.userWith(10);
    h.sim.addFaults([{ match: { promptContains: "LOST_THEN_503" }, status: 503 }]);
    const session = await h.createSession(userId, "LOST_THEN_503 overloaded", 3);
    await markSessionRunning(h.db, { sessionId: session.id, attempt: 1, leaseMs: 1 });
    await sleep(20);

    expect((await sweepSessions(deps(), { userIds: [userId], queuedAfterMs: 60_000 })).requeued).toEqual([session.id]);
    const failed = await h.waitForStatus(userId, session.id, ["failed"]);
    expect(h.simCallsFor("LOST_THEN_503").map((c) => c.status)).toEqual([503, 503]);
    expect(failed.errorDetails).toMatchObject({ providerStatus: 503, attempts: 3, maxAttempts: 3, refundedCredits: 2 });
    expect(failed.attemptLog.map((a) => [a.attempt, a.providerStatus])).toEqual([[1, null], [2, 503], [3, 503]]);
    // Attempt 2 said it would be retried, attempt 3 that it was the last.
    expect(failed.attemptLog.map((a) => a.retryInMs !== null)).toEqual([true, true, false]);
    expect(await h.balance(userId)).toEqual({ balance: 10, held: 0 });
  });

  it("the worker schedules the sweep on the maintenance queue when enabled", async () => {
    const worker = await h.startWorker({ SWEEP_INTERVAL_MS: "3600000" });
    const schedulers = await h.producers.queue(QueueName.maintenance).getJobSchedulers();
    expect(schedulers).toEqual([expect.objectContaining({ key: "sweep-sessions", every: 3_600_000 })]);
    await worker.stop("test");
    await h.producers.queue(QueueName.maintenance).removeJobScheduler("sweep-sessions");
  });
});
