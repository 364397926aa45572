import { failSession } from "@spellcast/core";
import type { StepJob } from "@spellcast/core";
import type { Database } from "@spellcast/db";
import { deadLetterJobId, enqueue, enqueueGenerations, generationDeadLetterJob, sessionAttemptsOf } from "@spellcast/queue";
import type { Producers } from "@spellcast/queue";
import type { Job } from "bullmq";
import { z } from "zod";

import type { AttemptFailure } from "./generation-errors";
import { failureOf } from "./generation-errors";
import { isFinalFailure } from "./listeners";
import type { Logger } from "./logger";

export interface SettleDeps {
  db: Database;
  producers: Producers;
  logger: Logger;
}

/** A failed generation job as the settlement needs it, from a live Job or rebuilt by the sweeper. */
export interface FinalFailure {
  jobId: string | null;
  data: unknown;
  attemptsMade: number;
  maxAttempts: number;
  failedReason: string;
  failure: AttemptFailure;
}

export type SettleOutcome = "failed" | "already_terminal" | "no_session";

const sessionRefSchema = z.object({ sessionId: z.string().uuid(), userId: z.string().optional() });

/**
 * Settles a generation that failed for good: `failSession` (refund once, error_details, terminal
 * event, all in one transaction; a repeat or a concurrent run finds it terminal and does nothing),
 * then a dead-letter record (`dlq_<sessionId>`, so repeats are no-ops). Used by the Worker's
 * `failed` listener and by the sweeper for failures whose handler never ran.
 */
export async function settleFinalFailure(deps: SettleDeps, final: FinalFailure): Promise<SettleOutcome> {
  const ref = sessionRefSchema.safeParse(final.data);
  const sessionId = ref.success ? ref.data.sessionId : null;
  const log = deps.logger.child({
    sessionId,
    userId: ref.success ? ref.data.userId : undefined,
    jobId: final.jobId,
    attempt: final.attemptsMade,
  });
  let outcome: SettleOutcome = "no_session";
  if (sessionId) {
    const result = await failSession(deps.db, {
      sessionId,
      failure: { ...final.failure, attempts: final.attemptsMade },
    });
    const details = result.session.errorDetails;
    outcome = result.failed ? "failed" : "already_terminal";
    if (result.next.length > 0) await enqueueNextImages(deps, result.next, log);
    if (result.failed) {
      log.info(
        {
          reason: details?.reason,
          fatal: details?.fatal,
          providerStatus: details?.providerStatus,
          requestId: details?.requestId,
          reservationId: result.session.reservationId,
          refundedCredits: details?.refundedCredits,
          refundError: details?.refundError,
        },
        "session.failed.updated",
      );
      // The session_completed event was written in that transaction; its NOTIFY went out at commit.
      log.info(
        { status: result.session.status, reservationId: result.session.reservationId, event: "session_completed" },
        "session.failed.notify.sent",
      );
    } else {
      log.info({ status: result.session.status }, "session.failed.already_settled");
    }
  }
  await addDeadLetter(deps, final, sessionId);
  log.info({ outcome }, "session.failed.dead_lettered");
  return outcome;
}

/**
 * A caption run's failed cast gave its place to the next image, committed with the failure: its
 * first step goes on the queue. If this fails, the sweeper enqueues the queued session later.
 */
async function enqueueNextImages(deps: SettleDeps, jobs: StepJob[], log: Logger): Promise<void> {
  try {
    await enqueueGenerations(deps.producers, jobs);
    log.info({ nextSessionIds: jobs.map((j) => j.sessionId) }, "cast.window.refilled");
  } catch (err) {
    log.warn({ err, nextSessionIds: jobs.map((j) => j.sessionId) }, "cast.window.enqueue_failed; the sweeper will enqueue it");
  }
}

async function addDeadLetter(deps: SettleDeps, final: FinalFailure, sessionId: string | null): Promise<void> {
  const key = sessionId ?? final.jobId ?? `unknown-${Date.now()}`;
  await enqueue(
    deps.producers,
    generationDeadLetterJob,
    {
      original: final.data,
      sessionId,
      jobId: final.jobId,
      failedReason: final.failedReason,
      attemptsMade: final.attemptsMade,
      maxAttempts: final.maxAttempts,
      failedAt: new Date().toISOString(),
      error: final.failure,
    },
    { jobId: deadLetterJobId(key) },
  );
}

export function finalFailureFromJob(job: Job, err: Error): FinalFailure {
  const attempts = sessionAttemptsOf(job);
  return {
    jobId: job.id ?? null,
    data: job.data,
    attemptsMade: attempts.made,
    maxAttempts: attempts.max,
    failedReason: job.failedReason || err.message,
    failure: failureOf(err),
  };
}

export interface FailureHandler {
  /** The generation Worker's `failed` listener: settles final failures, ignores retried ones. */
  onFailed(job: Job | undefined, err: Error): void;
  /** Wait (bounded) for settlements in flight; shutdown calls this before closing the database. */
  drain(timeoutMs: number): Promise<void>;
}

/**
 * If this process dies before a settlement commits, the job is already in BullMQ's failed set and
 * the sweeper settles it from there (sweeper.ts): at-least-once, and `failSession` makes it once.
 */
export function createFailureHandler(deps: SettleDeps): FailureHandler {
  const pending = new Set<Promise<unknown>>();
  return {
    onFailed(job, err) {
      // Final = `err instanceof UnrecoverableError || attemptsMade >= attempts` (STACK.md).
      if (!job || !isFinalFailure(job, err)) return;
      const final = finalFailureFromJob(job, err);
      const settling = settleFinalFailure(deps, final)
        .catch((settleErr: unknown) =>
          deps.logger.error({ err: settleErr, jobId: job.id }, "session.failed.settle_error; the sweeper will retry"),
        )
        .finally(() => pending.delete(settling));
      pending.add(settling);
    },
    async drain(timeoutMs) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
      await Promise.race([Promise.allSettled([...pending]), timeout]);
      clearTimeout(timer);
    },
  };
}
