import pLimit from "p-limit";

/**
 * Runs a provider call once one of this process's WORKER_CONCURRENCY slots is free. A job holds a
 * slot only for its call, not while its transitions commit or its next step is enqueued, so the
 * provider sees the configured concurrency while those stages overlap the next calls. A call whose
 * signal fired while it waited does not start.
 */
export type ProviderSlots = <T>(signal: AbortSignal, call: () => Promise<T>) => Promise<T>;

export function createProviderSlots(size: number): ProviderSlots {
  const limit = pLimit(size);
  return (signal, call) =>
    limit(() => {
      signal.throwIfAborted();
      return call();
    });
}
