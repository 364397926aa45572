import pLimit from "p-limit";

/**
 * At most WORKER_CONCURRENCY provider calls at once in this process. A job holds a slot only for
 * its call, not while its transitions commit or its next step is enqueued, so the provider sees
 * the configured concurrency while those stages overlap the next calls.
 */
export interface ProviderSlots {
  /**
   * Runs `call` once a slot is free. `jobKey` (`<queue>/<jobId>`, as ActiveJobs keys jobs) names
   * the waiting job for shutdown; a call whose `signal` fired while it waited does not start.
   */
  run<T>(jobKey: string, signal: AbortSignal, call: () => Promise<T>, times?: SlotTimes): Promise<T>;
  /** Jobs whose call still waits for a slot: on shutdown they go back to the queue unstarted. */
  waiting(): string[];
}

/** A job's time waiting for slots and in its calls; `run` adds to it. */
export interface SlotTimes {
  waitMs: number;
  callMs: number;
}

export function createProviderSlots(size: number): ProviderSlots {
  const limit = pLimit(size);
  const waiting = new Set<string>();
  return {
    run(jobKey, signal, call, times) {
      waiting.add(jobKey);
      const queuedAt = performance.now();
      return limit(async () => {
        waiting.delete(jobKey);
        signal.throwIfAborted();
        const startedAt = performance.now();
        try {
          return await call();
        } finally {
          if (times) {
            times.waitMs += startedAt - queuedAt;
            times.callMs += performance.now() - startedAt;
          }
        }
      });
    },
    waiting: () => [...waiting],
  };
}

export const jobKeyOf = (job: { queueName: string; id?: string | undefined }) => `${job.queueName}/${job.id ?? ""}`;
