import { PROVIDER_BACKOFF } from "@spellcast/queue";
import { isProviderError } from "@spellcast/providers";
import type { BackoffStrategy } from "bullmq";

import { RetryableAttemptError } from "./generation-errors";

export interface BackoffConfig {
  baseMs: number;
  maxMs: number;
}

/**
 * Delay before retrying after failed attempt `attempt` (1-based): exponential from `baseMs`, capped
 * at `maxMs`, with "equal jitter" (half fixed, half random) so retries of a burst spread out, and
 * never less than the provider's `Retry-After`.
 */
export function providerBackoffDelay(
  attempt: number,
  retryAfterMs: number | undefined,
  config: BackoffConfig,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(config.maxMs, config.baseMs * 2 ** Math.max(0, attempt - 1));
  const jittered = Math.round(ceiling / 2 + random() * (ceiling / 2));
  return Math.max(jittered, Math.ceil(retryAfterMs ?? 0));
}

function retryAfterOf(err: Error | undefined): number | undefined {
  if (err instanceof RetryableAttemptError) return err.retryAfterMs;
  return isProviderError(err) ? err.retryAfterMs : undefined;
}

/**
 * The Worker's `settings.backoffStrategy`. BullMQ passes the attempt just made (1-based) and the
 * error thrown. When the processor already chose the delay (and wrote it to the timeline), use it.
 */
export function createBackoffStrategy(config: BackoffConfig): BackoffStrategy {
  return (attemptsMade, type, err) => {
    if (type === PROVIDER_BACKOFF && err instanceof RetryableAttemptError && err.retryInMs !== null) {
      return err.retryInMs;
    }
    return providerBackoffDelay(attemptsMade, retryAfterOf(err), config);
  };
}
