import { findJobOwnedStep, getSession, isTerminalStatus, recordAttemptFailure, toolNameSchema } from "@spellcast/core";
import type { ChainResult, ContinueAs, ContinuedStep, SessionSnapshot } from "@spellcast/core";
import { isDatabaseUnavailable } from "@spellcast/db";
import { isProviderError } from "@spellcast/providers";
import { QueueName, isBackgroundJob, runGenerationPayloadSchema, sessionAttemptsOf } from "@spellcast/queue";
import type { RunGenerationPayload } from "@spellcast/queue";
import { DelayedError } from "bullmq";
import type { Job } from "bullmq";

import { providerBackoffDelay } from "../backoff";
import { FatalGenerationError, RetryableAttemptError, toAttemptFailure } from "../generation-errors";
import type { Logger } from "../logger";
import { createProgressReporter, silentProgress } from "../progress-reporter";
import { jobKeyOf } from "../provider-slots";
import type { SlotTimes } from "../provider-slots";
import { sessionImageKey, toolHandlers } from "../tools";
import type { ToolHandler } from "../tools";
import { invalidStep } from "../tools/step-input";
import type { ToolResult } from "../tools/types";
import type { ProcessorDeps } from "./types";

export type RunGenerationOutcome = "completed" | "skipped" | "canceled" | "already_terminal";

export { sessionImageKey };

/**
 * One attempt of one generation session (a single image, or one spell step): mark it running,
 * run its tool, then complete (capture + outputs + event, and for a spell step the next step or
 * the caption, in one transaction in core), then enqueue what that transaction created. A spell
 * step's job then runs its cast's next paid step itself (created running for it in that same
 * transaction), so a cast's steps follow each other with no queue hop; the job's data is pointed
 * at that step first, so a retry, a failure or a crash of the job is that step's.
 * Failures only classify and rethrow; settling a final failure is on-failed.ts's business.
 */
export async function processRunGeneration(job: Job, deps: ProcessorDeps): Promise<{ outcome: RunGenerationOutcome }> {
  try {
    return await runSteps(job, deps);
  } catch (err) {
    if (!isDatabaseUnavailable(err) || deps.token === undefined || deps.signal.aborted) throw err;
    // The statement that failed committed nothing (steps before it in this job did, and the job
    // names the step it was on). The job waits out the outage instead of spending its attempts on
    // it, three in a few seconds: a provider call it made is made again, charged once.
    await job.moveToDelayed(Date.now() + deps.env.DATABASE_RETRY_MS, deps.token);
    deps.logger.warn({ err, sessionId: parsePayload(job.data).sessionId, retryInMs: deps.env.DATABASE_RETRY_MS }, "job.deferred.database_unavailable");
    throw new DelayedError();
  }
}

async function runSteps(job: Job, deps: ProcessorDeps): Promise<{ outcome: RunGenerationOutcome }> {
  let payload = parsePayload(job.data);
  let claimed: Claimed | null = null;
  let lookedForOwned = false;
  for (;;) {
    const step = await runStep(job, deps, payload, claimed);
    if (step.outcome === "skipped" && payload.cast && !lookedForOwned) {
      // This job may have completed that step and died before pointing itself at the next one.
      lookedForOwned = true;
      const owned = job.id ? await findJobOwnedStep(deps.db, { castId: payload.cast.castId, jobId: job.id }) : null;
      if (owned) {
        payload = { ...payload, sessionId: owned.sessionId, cast: { ...payload.cast, stepIndex: owned.stepIndex } };
        await pointJobAt(job, payload);
        claimed = null;
        continue;
      }
    }
    if (step.outcome !== "completed" || !step.continued) return { outcome: step.outcome };
    const { job: next, session } = step.continued;
    payload = { sessionId: next.sessionId, userId: next.userId, cast: next.cast };
    claimed = { session, pointed: pointJobAt(job, payload) };
  }
}

/** The cast's next step, created running for this job, and the job's data being pointed at it. */
interface Claimed {
  session: SessionSnapshot;
  pointed: Promise<void>;
}

interface StepOutcome {
  outcome: RunGenerationOutcome;
  /** The cast's next step, created running for this job by the completing transaction. */
  continued?: ContinuedStep | null;
}

/** One attempt at the session `payload` names; `claimed`: it was created running for this job. */
async function runStep(job: Job, deps: ProcessorDeps, payload: RunGenerationPayload, claimed: Claimed | null): Promise<StepOutcome> {
  const { sessionId, userId, cast: castMeta } = payload;
  const attempt = sessionAttemptsOf(job).made + 1;
  // deps.logger already carries queue, job name, jobId and attempt.
  const log = deps.logger.child({ userId, sessionId, ...castMeta });
  // Registered before marking running, so a cancel published from then on reaches this call; its
  // signal also aborts on shutdown, and is the one the tool's work runs under.
  const cancel = deps.cancels.register(sessionId, deps.signal);
  const startedAt = performance.now();
  const slotTimes: SlotTimes = { waitMs: 0, callMs: 0 };
  try {
    const session = claimed?.session ?? (await deps.transitions.markRunning({ sessionId, attempt, leaseMs: deps.env.RUNNING_LEASE_MS }));
    if (!session) {
      log.info("session.skipped.terminal");
      return { outcome: "skipped" };
    }
    const sessionLog = log.child({ reservationId: session.reservationId });
    sessionLog.info({ maxAttempts: session.maxAttempts, tool: session.tool, event: claimed ? "session_created" : "session_running" }, "session.running");
    const handler = handlerFor(session.tool);
    const progress = castMeta ? silentProgress : createProgressReporter(job, { sessionId, userId }, log);
    progress.report(5, "calling provider");
    const ticking = progress.tickDuring(5, 85, deps.env.PROVIDER_TIMEOUT_MS, "generating");
    let result: ToolResult;
    try {
      const signal = cancel.signal;
      const slot = { times: slotTimes, background: isBackgroundJob(payload) };
      const inProviderSlot = <T>(call: () => Promise<T>) => deps.providerSlots.run(jobKeyOf(job), signal, call, slot);
      result = await handler({ deps, session, userId, signal, log: sessionLog, inProviderSlot });
    } catch (err) {
      await claimed?.pointed; // canceled, failed or handed back: the job must name this step
      if (cancel.canceled()) return await endCanceled(deps, { sessionId, userId }, log, err);
      if (deps.signal.aborted) throw err; // handed back on shutdown: not a failed attempt
      if (err instanceof FatalGenerationError) throw err;
      // The database, not the provider, failed: no attempt on the timeline (processRunGeneration defers the job).
      if (isDatabaseUnavailable(err)) throw err;
      throw await attemptError(job, deps, sessionLog, { sessionId, attempt }, err);
    } finally {
      ticking.stop();
    }
    progress.report(90, "storing");
    if (claimed) await pointedOrLost(job, deps, claimed, sessionLog);
    const done = await deps.transitions.complete({ sessionId, outputs: result.outputs, continueAs: continueAs(job, deps, payload) });
    if (!done.completed) {
      // Canceled (or settled elsewhere) while the provider worked: keep nothing, charge nothing.
      await result.discard?.();
      log.info({ status: done.session.status }, "session.complete.skipped");
      return { outcome: "already_terminal" };
    }
    progress.report(100, "completed");
    sessionLog.info({ requestId: result.outputs.requestId, cost: done.session.cost, tool: session.tool, event: "session_completed" }, "session.completed");
    await afterCommit(deps, log, done.chain);
    const outsideMs = performance.now() - startedAt - slotTimes.waitMs - slotTimes.callMs;
    deps.jobDepth.record({ callMs: slotTimes.callMs, outsideMs });
    return { outcome: "completed", continued: done.chain.continued };
  } catch (err) {
    await claimed?.pointed; // a failure of this step must leave the job naming it
    throw err;
  } finally {
    cancel.release();
  }
}

/**
 * A spell step's job runs its cast's next paid step itself, on its session's first attempt only:
 * a job that already failed once (or took over a lost job's attempts) has spent attempts its next
 * step must not inherit.
 */
function continueAs(job: Job, deps: ProcessorDeps, payload: RunGenerationPayload): ContinueAs | undefined {
  if (!payload.cast || job.id === undefined || sessionAttemptsOf(job).made > 0 || deps.signal.aborted) return undefined;
  return { jobId: job.id, leaseMs: deps.env.RUNNING_LEASE_MS };
}

/**
 * Points the job at the step it runs next, so its retries, failure and re-delivery are that
 * step's. It goes while that step's provider call runs (one Redis round trip less between a
 * cast's steps) and is awaited before the step can complete or fail. If this process dies first,
 * the job comes back naming the step before, which is terminal: the job then finds the step it
 * owns (findJobOwnedStep) and goes on with it.
 */
function pointJobAt(job: Job, payload: RunGenerationPayload): Promise<void> {
  const pointed = job.updateData(payload);
  // Awaited later (runStep); until then a rejection must not count as unhandled.
  pointed.catch(() => undefined);
  return pointed;
}

/**
 * Waits for the job to name the claimed step before that step completes. If the queue lost the
 * job meanwhile (Redis restarted without its data) there is no job to name it: the step is still
 * this process's to finish, and Postgres records it; waiting for the sweeper instead would cost
 * its deadline and a second provider call.
 */
async function pointedOrLost(job: Job, deps: ProcessorDeps, claimed: Claimed, log: Logger): Promise<void> {
  try {
    await claimed.pointed;
  } catch (err) {
    if (job.id === undefined || (await jobStillQueued(deps, job.id, log))) throw err;
    log.warn({ err }, "job.lost; finishing the step it was running");
  }
}

/** Whether the queue still holds the job; true when Redis cannot say (the caller keeps its error). */
async function jobStillQueued(deps: ProcessorDeps, jobId: string, log: Logger): Promise<boolean> {
  try {
    return (await deps.producers.queue(QueueName.generation).getJob(jobId)) !== undefined;
  } catch (err) {
    log.warn({ err }, "job lookup failed; keeping the job's error");
    return true;
  }
}

/**
 * Enqueues the step sessions the completing transaction created (job id gen_<id>). If this
 * process dies first, the sweeper finds them queued without a job and enqueues them.
 */
async function afterCommit(deps: ProcessorDeps, log: Logger, chain: ChainResult): Promise<void> {
  // Submitted together, so a refill's jobs go as one bulk add rather than one round trip each.
  await Promise.all(
    chain.next.map(async (next) => {
      try {
        await deps.nextSteps.enqueue(next);
        log.info({ nextSessionId: next.sessionId, nextStep: next.cast.stepIndex }, "cast.step.enqueued");
      } catch (err) {
        log.warn({ err, nextSessionId: next.sessionId }, "cast.step.enqueue_failed; the sweeper will enqueue it");
      }
    }),
  );
  const write = chain.captionWrite;
  if (write) {
    // Where the caption's text came from, so a missing caption can be traced to its source.
    const level = write.landed && write.sources.stepStoredOutput ? "info" : "warn";
    log[level]({ ...write }, write.landed ? "caption.written" : "caption.not_written");
  } else if (chain.castStatus) {
    log.debug({ castStatus: chain.castStatus }, "cast.advanced");
  }
}

function handlerFor(tool: string): ToolHandler {
  const parsed = toolNameSchema.safeParse(tool);
  if (!parsed.success) throw invalidStep(`unknown tool "${tool}"`);
  return toolHandlers[parsed.data];
}

function parsePayload(data: unknown): RunGenerationPayload {
  const parsed = runGenerationPayloadSchema.safeParse(data);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
  const message = `invalid run-generation payload: ${issues}`;
  throw new FatalGenerationError({ providerStatus: null, providerMessage: message, providerBody: null, requestId: null, reason: "invalid_payload", fatal: true });
}

/** A cancel aborted the call. The web settled the session first; if it did not, let a retry decide. */
async function endCanceled(deps: ProcessorDeps, ids: { sessionId: string; userId: string }, log: Logger, cause: unknown) {
  const current = await getSession(deps.db, ids);
  if (!isTerminalStatus(current.status)) {
    throw new RetryableAttemptError(toAttemptFailure(cause), null, undefined, { cause });
  }
  log.info({ status: current.status }, "session.canceled.aborted");
  return { outcome: "canceled" as const };
}

/** Records the failed attempt on the timeline and returns what to throw: fatal or retryable. */
async function attemptError(
  job: Job,
  deps: ProcessorDeps,
  log: Logger,
  at: { sessionId: string; attempt: number },
  err: unknown,
): Promise<Error> {
  const failure = toAttemptFailure(err);
  const last = at.attempt >= sessionAttemptsOf(job).max;
  const retryAfterMs = retryAfter(err);
  const retryInMs = failure.fatal || last ? null : providerBackoffDelay(at.attempt, retryAfterMs, deps.backoff);
  const entry = { attempt: at.attempt, at: new Date().toISOString(), providerStatus: failure.providerStatus, message: failure.providerMessage, retryInMs };
  try {
    await recordAttemptFailure(deps.db, { sessionId: at.sessionId, entry });
  } catch (recordErr) {
    log.warn({ err: recordErr }, "could not record the failed attempt");
  }
  log.warn({ ...failure, providerBody: undefined, retryInMs, final: failure.fatal || last }, "session.attempt.failed");
  if (failure.fatal) return new FatalGenerationError(failure, { cause: err });
  return new RetryableAttemptError(failure, retryInMs, retryAfterMs, { cause: err });
}

function retryAfter(err: unknown): number | undefined {
  return isProviderError(err) ? err.retryAfterMs : undefined;
}
