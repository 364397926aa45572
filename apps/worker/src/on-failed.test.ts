import { markSessionRunning } from "@spellcast/core";
import { QueueName, deadLetterJobId, enqueueGeneration } from "@spellcast/queue";
import { UnrecoverableError } from "bullmq";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { FatalGenerationError, RetryableAttemptError } from "./generation-errors";
import { createGenerationHarness } from "./generation-test-harness";
import type { GenerationHarness } from "./generation-test-harness";
import { isFinalFailure } from "./listeners";
import { createFailureHandler, finalFailureFromJob, settleFinalFailure } from "./on-failed";

let h: GenerationHarness;
const logger = pino({ level: "silent" });

beforeAll(async () => {
  h = await createGenerationHarness("onfailed");
});
afterAll(async () => {
  await h?.close();
});

const fatal = new FatalGenerationError({
  providerStatus: 400,
  providerMessage: "The prompt was rejected. Request id: req_x",
  providerBody: "x".repeat(5_000),
  requestId: "req_x",
  reason: "provider_error",
  fatal: true,
});

async function runningSession(userId: string) {
  // No worker consumes this file's prefix: the job just sits in wait while we play the handler.
  const session = await h.createSession(userId, "handler twice");
  const job = await enqueueGeneration(h.producers, { sessionId: session.id, userId, maxAttempts: 3 });
  await markSessionRunning(h.db, { sessionId: session.id, attempt: 1, leaseMs: 60_000 });
  return { session, job };
}

describe("final failure", () => {
  it("is final for UnrecoverableError or on the last attempt, not before", async () => {
    const userId = await h.userWith(10);
    const { job } = await runningSession(userId);
    const retryable = new RetryableAttemptError({ ...fatal.failure, fatal: false }, 100, undefined);
    expect(isFinalFailure(job, retryable)).toBe(false);
    expect(isFinalFailure(job, fatal)).toBe(true);
    expect(isFinalFailure(job, new UnrecoverableError("stalled"))).toBe(true);
    job.attemptsMade = 3;
    expect(isFinalFailure(job, retryable)).toBe(true);
  });

  it("settled twice concurrently (duplicate callbacks): one refund, one terminal event, one dead letter", async () => {
    const userId = await h.userWith(10);
    const { session, job } = await runningSession(userId);
    job.attemptsMade = 1;
    const final = finalFailureFromJob(job, fatal);
    const outcomes = await Promise.all([settleFinalFailure({ db: h.db, producers: h.producers, logger }, final), settleFinalFailure({ db: h.db, producers: h.producers, logger }, final)]);
    expect(outcomes.sort()).toEqual(["already_terminal", "failed"]);

    const failed = await h.waitForStatus(userId, session.id, ["failed"]);
    expect(failed.errorDetails).toMatchObject({ providerStatus: 400, requestId: "req_x", fatal: true, attempts: 1, refundedCredits: 2 });
    expect(await h.balance(userId)).toEqual({ balance: 10, held: 0 });
    expect((await h.eventTypes(session.id)).filter((t) => t === "session_completed")).toHaveLength(1);
    const dlq = h.producers.queue(QueueName.generationDlq);
    expect(await dlq.getJob(deadLetterJobId(session.id))).toBeDefined();
    expect((await dlq.getJobs(["waiting"])).filter((j) => j.data.sessionId === session.id)).toHaveLength(1);
  });

  it("the Worker listener settles only final failures and drains before shutdown", async () => {
    const userId = await h.userWith(10);
    const { session, job } = await runningSession(userId);
    const handler = createFailureHandler({ db: h.db, producers: h.producers, logger });
    job.attemptsMade = 1;
    handler.onFailed(job, new RetryableAttemptError({ ...fatal.failure, fatal: false }, 100, undefined));
    await handler.drain(5_000);
    expect((await h.waitForStatus(userId, session.id, ["running"])).status).toBe("running");

    handler.onFailed(job, fatal);
    handler.onFailed(job, fatal);
    await handler.drain(5_000);
    await h.waitForStatus(userId, session.id, ["failed"]);
    expect((await h.eventTypes(session.id)).filter((t) => t === "session_completed")).toHaveLength(1);
    expect(await h.balance(userId)).toEqual({ balance: 10, held: 0 });
  });
});
