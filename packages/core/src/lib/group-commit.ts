/*
 * Group commit. Many callers each wanting a short transaction on the same rows (one user's
 * account, one caption set) spend their time queued on those row locks and in round trips. Here a
 * call that arrives while a batch is committing waits for it and goes with the others in the next
 * batch: one transaction, a statement per table. No caller's promise settles before its batch
 * commits, so durability and exactly-once are a single call's.
 *
 * The same queue also batches work that is not a transaction but pays per round trip: the
 * worker's dataset-image lookups (apps/worker/src/image-reader.ts) and next-step enqueues
 * (step-enqueuer.ts).
 *
 * Written here rather than taken from a batching library: DataLoader and its kin batch per tick
 * and run batches side by side; the point here is the opposite — the next batch forms while the
 * current one commits, at most `maxInFlight` run at once, and (with `keyOf`) one key is never in
 * two batches at once, so its items apply in call order.
 */

export interface GroupCommitOptions<I> {
  /** Most items per batch (default 100). */
  maxBatch?: number;
  /** Batches committing at once, each on its own connection (default 1). */
  maxInFlight?: number;
  /** Items of one key (an account, say) never run in two batches at once. */
  keyOf?: (item: I) => string;
}

interface Pending<I, O> {
  item: I;
  key: string | null;
  resolve: (value: O) => void;
  reject: (err: unknown) => void;
}

/**
 * `runBatch` returns one result per item, in order. If it throws, each item of that batch is run
 * again alone, so one bad item fails only its own caller — the work must be idempotent (an item
 * whose batch did commit is then a replay).
 */
export function createGroupCommit<I, O>(runBatch: (items: I[]) => Promise<O[]>, options: GroupCommitOptions<I> = {}) {
  const maxBatch = options.maxBatch ?? 100;
  const maxInFlight = options.maxInFlight ?? 1;
  let queue: Pending<I, O>[] = [];
  const busyKeys = new Set<string>();
  const open = new Set<Promise<O>>();
  let inFlight = 0;
  let scheduled = false;

  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    // setImmediate, not a microtask: callers woken by the previous commit join the next batch.
    setImmediate(pump);
  };

  function pump() {
    scheduled = false;
    while (inFlight < maxInFlight) {
      const batch = take();
      if (batch.length === 0) return;
      inFlight++;
      void run(batch).finally(() => {
        inFlight--;
        for (const p of batch) if (p.key !== null) busyKeys.delete(p.key);
        if (queue.length > 0) schedule();
      });
    }
  }

  /** The oldest items whose key no running batch holds, up to `maxBatch`. */
  function take(): Pending<I, O>[] {
    const batch: Pending<I, O>[] = [];
    const rest: Pending<I, O>[] = [];
    const claimed = new Set<string>();
    for (const p of queue) {
      const free = p.key === null || claimed.has(p.key) || !busyKeys.has(p.key);
      if (free && batch.length < maxBatch) {
        batch.push(p);
        if (p.key !== null) claimed.add(p.key);
      } else {
        rest.push(p);
      }
    }
    queue = rest;
    for (const key of claimed) busyKeys.add(key);
    return batch;
  }

  async function run(batch: Pending<I, O>[]) {
    try {
      const results = await runBatch(batch.map((p) => p.item));
      batch.forEach((p, i) => settle(p, results, i));
    } catch (err) {
      if (batch.length === 1) return batch[0]?.reject(err);
      for (const p of batch) {
        try {
          settle(p, await runBatch([p.item]), 0);
        } catch (single) {
          p.reject(single);
        }
      }
    }
  }

  function settle(p: Pending<I, O>, results: O[], i: number) {
    if (i < results.length) p.resolve(results[i] as O);
    else p.reject(new Error("group commit: the batch returned no result for an item"));
  }

  return {
    submit(item: I): Promise<O> {
      const promise = new Promise<O>((resolve, reject) => {
        queue.push({ item, key: options.keyOf ? options.keyOf(item) : null, resolve, reject });
        schedule();
      });
      open.add(promise);
      const forget = () => open.delete(promise);
      promise.then(forget, forget);
      return promise;
    },
    /** Resolves once every item submitted so far has committed or failed (for shutdown). */
    async drain(): Promise<void> {
      while (open.size > 0) await Promise.allSettled([...open]);
    },
  };
}

export type GroupCommit<I, O> = ReturnType<typeof createGroupCommit<I, O>>;
