import {
  expireHolds,
  findOverdueRunningSessions,
  findSessionsWithRefundError,
  findStaleQueuedSessions,
  findUnsettledSessions,
  resumeStalledCaptionSets,
  requeueLostSession,
  retryFailedRefund,
  sessionJobsOf,
  DEFAULT_HOLD_MS,
} from "@spellcast/core";
import type { SweepCandidate } from "@spellcast/core";
import { QueueName, enqueueGeneration, enqueueGenerations, generationJobId, sessionAttemptsOf } from "@spellcast/queue";
import type { Job, Queue } from "bullmq";

import type { AttemptFailure } from "./generation-errors";
import type { SettleDeps } from "./on-failed";
import { settleFinalFailure } from "./on-failed";

export interface SweepOptions {
  /** Stands in for the clock (tests looking past every deadline); running leases are otherwise judged by the database's. */
  now?: Date;
  /** Rows (and failed jobs) looked at per step and run. */
  batchSize?: number;
  /** A `queued` session older than this with no job is enqueued again. */
  queuedAfterMs: number;
  /** A job failed this long ago whose session is still open lost its failure handler. */
  failedGraceMs?: number;
  /** Only these users' sessions (tests, targeted repair). Holds expiry is global, so it is skipped. */
  userIds?: readonly string[];
  /** Attempts of step sessions that a resumed caption run creates. */
  stepMaxAttempts?: number;
}

export interface SweepReport {
  stuck: string[];
  requeued: string[];
  settledFromFailedJobs: string[];
  expiredHolds: number;
  refundsRetried: string[];
  /** Caption sets whose uncaptioned images had no active cast: resumed. */
  resumedSets: string[];
}

/** Job states in which BullMQ still owns the session's progress: the sweeper leaves those alone. */
const LIVE_STATES = new Set(["active", "waiting", "delayed", "prioritized", "waiting-children"]);

export const STUCK_MESSAGE = "The worker stopped responding; credits returned";

/**
 * One pass of the safety net. Every fix goes through the same core functions as the normal path
 * (failSession, enqueue with the session's job id, retryFailedRefund), so a sweep that races the
 * worker, or runs twice, settles each session once.
 */
export async function sweepSessions(deps: SettleDeps, options: SweepOptions): Promise<SweepReport> {
  const now = options.now ?? new Date();
  const limit = options.batchSize ?? 100;
  const scope = { limit, userIds: options.userIds };
  const queue = deps.producers.queue(QueueName.generation);
  await deps.producers.ready(queue);
  const report: SweepReport = { stuck: [], requeued: [], settledFromFailedJobs: [], expiredHolds: 0, refundsRetried: [], resumedSets: [] };

  for (const session of await findOverdueRunningSessions(deps.db, { ...scope, now: options.now })) {
    const orphan = await findOrphanedJob(deps, queue, session, report);
    if (!orphan) continue;
    const { job, state } = orphan;
    // No job at all: Redis lost it (a restart without its data). The session still says what the
    // work is, so it goes back on the queue for the attempts it has left.
    if (!job && (await requeueLost(deps, session))) {
      report.requeued.push(session.id);
      continue;
    }
    // Out of attempts, or a job that ended without settling its session: the work is gone.
    const outcome = await settleFinalFailure(deps, {
      jobId: job?.id ?? null,
      data: { sessionId: session.id, userId: session.userId },
      attemptsMade: session.attempts,
      maxAttempts: session.maxAttempts,
      failedReason: `session running past its deadline; job ${state}`,
      failure: { ...stuckFailure(), providerStatus: session.lastAttempt?.providerStatus ?? null },
    });
    if (outcome === "failed") report.stuck.push(session.id);
  }

  const createdBefore = new Date(now.getTime() - options.queuedAfterMs);
  const stale = await findStaleQueuedSessions(deps.db, { ...scope, createdBefore });
  // A spell step goes back with its cast (a caption run's as background work), as first enqueued.
  for (const { session, job: input } of await sessionJobsOf(deps.db, stale)) {
    const orphan = await findOrphanedJob(deps, queue, session, report);
    if (!orphan) continue;
    const { job } = orphan;
    // A completed job for a queued session never ran it; its id would make the add a no-op.
    if (job) await job.remove();
    await enqueueGeneration(deps.producers, input);
    report.requeued.push(session.id);
  }

  // Final failures whose handler died before committing: the job is failed, the session still open.
  const graceMs = options.failedGraceMs ?? 10_000;
  const failedJobs = (await queue.getFailed(0, limit - 1)).filter((j) => (j.finishedOn ?? 0) <= now.getTime() - graceMs);
  const bySession = new Map(failedJobs.flatMap((j) => (typeof j.data?.sessionId === "string" ? [[j.data.sessionId, j] as const] : [])));
  const open = await findUnsettledSessions(deps.db, { sessionIds: [...bySession.keys()], userIds: options.userIds });
  for (const session of open) {
    const job = bySession.get(session.id);
    if (job && (await settleFromFailedJob(deps, session, job))) report.settledFromFailedJobs.push(session.id);
  }

  if (!options.userIds) report.expiredHolds = (await expireHolds(deps.db, now, limit)).length;

  for (const sessionId of await findSessionsWithRefundError(deps.db, scope)) {
    if (await retryFailedRefund(deps.db, sessionId)) report.refundsRetried.push(sessionId);
  }

  report.resumedSets = await resumeStalledCaptionSets(
    deps.db,
    { limit, userIds: options.userIds },
    { maxAttempts: options.stepMaxAttempts ?? 3, holdMs: DEFAULT_HOLD_MS },
    async (jobs) => {
      await enqueueGenerations(deps.producers, jobs);
    },
  );

  const acted = report.resumedSets.length + report.stuck.length + report.requeued.length + report.settledFromFailedJobs.length + report.expiredHolds + report.refundsRetried.length;
  if (acted > 0) deps.logger.info({ ...report }, "sweep.done");
  return report;
}

/**
 * Looks up a session's job. Null when the sweeper has nothing more to do for the session: the job
 * is still live (BullMQ owns it), or it had failed for good and was settled here from the job.
 * Otherwise the job is missing or ended without settling the session.
 */
async function findOrphanedJob(
  deps: SettleDeps,
  queue: Queue,
  session: SweepCandidate,
  report: SweepReport,
): Promise<{ job: Job | undefined; state: string } | null> {
  const job = await queue.getJob(jobIdOf(session));
  const state = job ? await job.getState() : "missing";
  if (LIVE_STATES.has(state)) return null;
  if (job && state === "failed") {
    if (await settleFromFailedJob(deps, session, job)) report.settledFromFailedJobs.push(session.id);
    return null;
  }
  return { job, state };
}

export const LOST_JOB_MESSAGE = "The job queue lost this attempt (its Redis data was gone)";

/** Puts a running session whose job is gone back on the queue; false when it has no attempt left. */
async function requeueLost(deps: SettleDeps, session: SweepCandidate): Promise<boolean> {
  const queued = await requeueLostSession(deps.db, { sessionId: session.id, message: LOST_JOB_MESSAGE });
  if (!queued) return false;
  const [again] = await sessionJobsOf(deps.db, [{ ...session, attempts: queued.attempts }]);
  // If this enqueue fails, the session is queued without a job: the next sweep enqueues it.
  if (again) await enqueueGeneration(deps.producers, again.job);
  deps.logger.warn({ sessionId: session.id, userId: session.userId, attemptsBefore: queued.attempts, maxAttempts: queued.maxAttempts }, "sweep.requeued_lost_job");
  return true;
}

function jobIdOf(session: SweepCandidate): string {
  return session.jobId ?? generationJobId(session.id);
}

function stuckFailure(): AttemptFailure {
  return { providerStatus: null, providerMessage: STUCK_MESSAGE, providerBody: null, requestId: null, reason: "stuck", fatal: false };
}

/**
 * The job failed for good but its handler's settlement never committed. The error object is gone;
 * what survives is BullMQ's failedReason and the session's last recorded attempt.
 */
async function settleFromFailedJob(deps: SettleDeps, session: SweepCandidate, job: Job): Promise<boolean> {
  const last = session.lastAttempt;
  const failedReason = job.failedReason || STUCK_MESSAGE;
  const attempts = sessionAttemptsOf(job);
  const outcome = await settleFinalFailure(deps, {
    jobId: job.id ?? null,
    data: job.data,
    attemptsMade: attempts.made,
    maxAttempts: attempts.max,
    failedReason,
    failure: {
      providerStatus: last?.providerStatus ?? null,
      providerMessage: last?.message || failedReason,
      providerBody: null,
      requestId: null,
      reason: last ? "provider_error" : "worker_lost",
      fatal: last?.retryInMs === null && attempts.made < attempts.max,
    },
  });
  return outcome === "failed";
}
