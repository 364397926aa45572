import type { SessionFailure } from "@spellcast/core";
import { isProviderError } from "@spellcast/providers";
import type { ProviderError, ProviderErrorKind } from "@spellcast/providers";
import { UnrecoverableError } from "bullmq";

/** What a failed attempt tells the user and the engineer; `attempts` is filled in when settling. */
export type AttemptFailure = Omit<SessionFailure, "attempts">;

const reasonByKind: Record<ProviderErrorKind, string> = {
  http: "provider_error",
  timeout: "timeout",
  network: "network",
  aborted: "aborted",
  invalid_response: "invalid_response",
};

/** Provider errors map field by field; anything else is our own fault (`internal`), retried. */
export function toAttemptFailure(err: unknown): AttemptFailure {
  if (isProviderError(err)) return fromProviderError(err);
  const message = err instanceof Error && err.message ? err.message : "The generation failed";
  return { providerStatus: null, providerMessage: message, providerBody: null, requestId: null, reason: "internal", fatal: false };
}

function fromProviderError(err: ProviderError): AttemptFailure {
  return {
    providerStatus: err.status ?? null,
    providerMessage: err.message,
    providerBody: err.body === "" ? null : err.body,
    requestId: err.requestId ?? null,
    reason: reasonByKind[err.kind],
    fatal: !err.retryable,
  };
}

/**
 * A failure no retry can fix (a 4xx other than 408/429, an unreadable payload): BullMQ skips the
 * remaining attempts, and the final-failure handler reads the details from `failure`.
 */
export class FatalGenerationError extends UnrecoverableError {
  constructor(
    readonly failure: AttemptFailure,
    options?: { cause?: unknown },
  ) {
    super(failure.providerMessage);
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}

/**
 * A retryable attempt failed. `retryInMs` is the delay already written to the session's timeline;
 * the backoff strategy returns exactly it, so the timeline and BullMQ agree. Null on the last attempt.
 */
export class RetryableAttemptError extends Error {
  override readonly name = "RetryableAttemptError";
  constructor(
    readonly failure: AttemptFailure,
    readonly retryInMs: number | null,
    readonly retryAfterMs: number | undefined,
    options?: { cause?: unknown },
  ) {
    super(failure.providerMessage, options);
  }
}

/** The failure a job's final error describes, whatever threw it. */
export function failureOf(err: unknown): AttemptFailure {
  if (err instanceof FatalGenerationError || err instanceof RetryableAttemptError) return err.failure;
  const failure = toAttemptFailure(err);
  // BullMQ's own unrecoverable failures (e.g. a job stalled too often) will not be retried either.
  return err instanceof UnrecoverableError ? { ...failure, reason: "unrecoverable", fatal: true } : failure;
}
