/*
 * Group commit. Fifty jobs finishing a provider call each want a short transaction on the same
 * rows (one user's account, one caption set); run apart, they queue on those row locks and the
 * worker spends its time in round trips. Here a call that arrives while a batch is committing
 * waits for it and goes with the others in the next batch: one transaction, a statement per table.
 * No caller's promise settles before its batch commits, so durability is a single call's.
 *
 * Written here rather than taken from a batching library: DataLoader and its kin batch per tick
 * and run batches side by side; the point here is the opposite — the next batch forms while the
 * current one commits, and at most `maxInFlight` run at once.
 */

export interface GroupCommitOptions {
  /** Most items per batch (default 100). */
  maxBatch?: number;
  /** Batches committing at once (default 1). */
  maxInFlight?: number;
}

interface Pending<I, O> {
  item: I;
  resolve: (value: O) => void;
  reject: (err: unknown) => void;
}

/**
 * `runBatch` returns one result per item, in order. If it throws, each item of that batch is run
 * again alone, so one bad item fails only its own caller (the transitions are idempotent: an item
 * whose batch did commit finds its session already settled).
 */
export function createGroupCommit<I, O>(runBatch: (items: I[]) => Promise<O[]>, options: GroupCommitOptions = {}) {
  const maxBatch = options.maxBatch ?? 100;
  const maxInFlight = options.maxInFlight ?? 1;
  let queue: Pending<I, O>[] = [];
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
    while (inFlight < maxInFlight && queue.length > 0) {
      const batch = queue.slice(0, maxBatch);
      queue = queue.slice(maxBatch);
      inFlight++;
      void run(batch).finally(() => {
        inFlight--;
        if (queue.length > 0) schedule();
      });
    }
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
      return new Promise<O>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        schedule();
      });
    },
  };
}

export type GroupCommit<I, O> = ReturnType<typeof createGroupCommit<I, O>>;
