/**
 * At most WORKER_CONCURRENCY provider calls at once in this process. A job holds a slot only for
 * its call, not while its transitions commit or its next step is enqueued, so the provider sees
 * the configured concurrency while those stages overlap the next calls. A freed slot goes to the
 * oldest waiting interactive call (a generation, a cast) before any background one (a caption
 * run's step): a job fetched behind hundreds of a run's steps still calls next.
 */
export interface ProviderSlots {
  /**
   * Runs `call` once a slot is free. `jobKey` (`<queue>/<jobId>`, as ActiveJobs keys jobs) names
   * the waiting job for shutdown; a call whose `signal` fired while it waited does not start.
   */
  run<T>(jobKey: string, signal: AbortSignal, call: () => Promise<T>, options?: SlotOptions): Promise<T>;
  /**
   * Shutdown: from now on no call starts for a job that has not started one. Returns the jobs
   * waiting for a slot; a job that comes to wait for one later (it was still marking running) is
   * passed to `handBack` at once and waits for the abort that handing it back brings.
   */
  close(handBack: (jobKey: string) => void): string[];
}

export interface SlotOptions {
  /** Adds this call's wait and call time. */
  times?: SlotTimes;
  /** A caption run's step: waits behind every interactive call. */
  background?: boolean;
}

/** A job's time waiting for slots and in its calls; `run` adds to it. */
export interface SlotTimes {
  waitMs: number;
  callMs: number;
}

export function createProviderSlots(size: number): ProviderSlots {
  const limit = createTwoClassLimit(size);
  const waiting = new Set<string>();
  let handBackLate: ((jobKey: string) => void) | null = null;
  return {
    run(jobKey, signal, call, options = {}) {
      const { times, background = false } = options;
      if (handBackLate) {
        handBackLate(jobKey);
        return untilAborted(signal);
      }
      waiting.add(jobKey);
      const queuedAt = performance.now();
      return limit(background, async () => {
        waiting.delete(jobKey);
        signal.throwIfAborted();
        // Closed while it waited: it is being handed back (close returned it), so it never calls.
        if (handBackLate) return untilAborted(signal);
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
    close(handBack) {
      handBackLate = handBack;
      return [...waiting];
    },
  };
}

/**
 * p-limit's contract (at most `size` tasks at once, each waiting task started as one ends) with
 * two FIFO queues, the interactive one served first. p-limit has one queue and no priorities.
 */
function createTwoClassLimit(size: number) {
  const queues = { interactive: [] as Array<() => void>, background: [] as Array<() => void> };
  let active = 0;
  const next = () => {
    if (active >= size) return;
    const start = queues.interactive.shift() ?? queues.background.shift();
    if (!start) return;
    active++;
    start();
  };
  return <T>(background: boolean, task: () => Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      (background ? queues.background : queues.interactive).push(() => {
        task()
          .then(resolve, reject)
          .finally(() => {
            active--;
            next();
          });
      });
      next();
    });
}

function untilAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) return reject(signal.reason);
    signal.addEventListener("abort", () => reject(signal.reason), { once: true });
  });
}

export const jobKeyOf = (job: { queueName: string; id?: string | undefined }) => `${job.queueName}/${job.id ?? ""}`;
