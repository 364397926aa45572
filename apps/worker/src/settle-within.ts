/**
 * Wait for `promise` at most `ms`; true if it settled (resolved or rejected) in time. Shutdown uses
 * this for every step that talks to Redis or Postgres: with `maxRetriesPerRequest: null` a command
 * sent during an outage would otherwise wait for Redis forever, and the process must exit in 30 s.
 */
export async function settleWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.max(0, ms));
  });
  try {
    return await Promise.race([
      promise.then(
        () => true,
        () => true,
      ),
      timedOut,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
