import { completeSession, getSession, imageSizeSchema, isTerminalStatus, markSessionRunning, recordAttemptFailure } from "@spellcast/core";
import type { SessionSnapshot } from "@spellcast/core";
import { isProviderError } from "@spellcast/providers";
import { runGenerationPayloadSchema } from "@spellcast/queue";
import type { RunGenerationPayload } from "@spellcast/queue";
import type { Job } from "bullmq";

import { providerBackoffDelay } from "../backoff";
import { FatalGenerationError, RetryableAttemptError, toAttemptFailure } from "../generation-errors";
import type { Logger } from "../logger";
import { createProgressReporter } from "../progress-reporter";
import type { ProcessorDeps } from "./types";

export type RunGenerationOutcome = "completed" | "skipped" | "canceled" | "already_terminal";

export const sessionImageKey = (sessionId: string) => `sessions/${sessionId}.png`;

/**
 * One attempt of one generation session: mark it running, call the provider, store the PNG, then
 * complete (capture + outputs + event, in one transaction in core). Failures only classify and
 * rethrow; settling a final failure is the failed-job handler's business (on-failed.ts).
 */
export async function processRunGeneration(job: Job, deps: ProcessorDeps): Promise<{ outcome: RunGenerationOutcome }> {
  const { sessionId, userId } = parsePayload(job.data);
  const attempt = job.attemptsMade + 1;
  // deps.logger already carries queue, job name, jobId and attempt.
  const log = deps.logger.child({ userId, sessionId });
  // Registered before marking running, so a cancel published from then on reaches this call.
  const cancel = deps.cancels.register(sessionId);
  try {
    const session = await markSessionRunning(deps.db, { sessionId, attempt, deadlineMs: runningDeadlineMs(deps) });
    if (!session) {
      log.info("session.skipped.terminal");
      return { outcome: "skipped" };
    }
    log.info({ maxAttempts: session.maxAttempts }, "session.running");
    const progress = createProgressReporter(job, { sessionId, userId }, log);
    progress.report(5, "calling provider");
    const ticking = progress.tickDuring(5, 85, deps.env.PROVIDER_TIMEOUT_MS, "generating");
    let png: Uint8Array;
    let requestId: string | undefined;
    try {
      const input = imageInput(session);
      ({ png, requestId } = await deps.seedream.generateImage(input, { signal: AbortSignal.any([deps.signal, cancel.signal]) }));
    } catch (err) {
      if (cancel.signal.aborted) return await endCanceled(deps, { sessionId, userId }, log, err);
      if (deps.signal.aborted) throw err; // handed back on shutdown: not a failed attempt
      throw await attemptError(job, deps, log, { sessionId, attempt }, err);
    } finally {
      ticking.stop();
    }
    progress.report(90, "storing");
    const key = sessionImageKey(sessionId);
    const stored = await deps.storage.put(key, png, "image/png");
    const done = await completeSession(deps.db, {
      sessionId,
      outputs: { kind: "image", storageKey: key, contentType: "image/png", bytes: stored.bytes, requestId },
    });
    if (!done.completed) {
      // Canceled (or settled elsewhere) while the provider worked: keep nothing, charge nothing.
      await deps.storage.delete(key);
      log.info({ status: done.session.status }, "session.complete.skipped");
      return { outcome: "already_terminal" };
    }
    progress.report(100, "completed");
    log.info({ bytes: stored.bytes, requestId, cost: done.session.cost }, "session.completed");
    return { outcome: "completed" };
  } finally {
    cancel.release();
  }
}

function parsePayload(data: unknown): RunGenerationPayload {
  const parsed = runGenerationPayloadSchema.safeParse(data);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
  const message = `invalid run-generation payload: ${issues}`;
  throw new FatalGenerationError({ providerStatus: null, providerMessage: message, providerBody: null, requestId: null, reason: "invalid_payload", fatal: true });
}

/** Long enough for the call and the image download (each bounded by the timeout), plus slack. */
function runningDeadlineMs(deps: ProcessorDeps): number {
  return 2 * deps.env.PROVIDER_TIMEOUT_MS + 30_000;
}

function imageInput(session: SessionSnapshot) {
  const size = imageSizeSchema.safeParse(session.params.size);
  const seed = session.params.seed;
  if (!size.success) {
    throw new FatalGenerationError({ providerStatus: null, providerMessage: "The session has no valid image size", providerBody: null, requestId: null, reason: "invalid_payload", fatal: true });
  }
  return { prompt: session.prompt, size: size.data, seed: typeof seed === "number" ? seed : undefined };
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
  const last = at.attempt >= (job.opts.attempts ?? 1);
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
