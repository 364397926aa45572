import type { Database } from "@spellcast/db";

import { DomainError } from "../errors";
import { applyOps, loadReservationOwners } from "./apply-ops";
import { ensureAccount } from "./ensure-account";
import { findExpiredHolds } from "./expire-holds";
import { asGrantResult, toGrantOp } from "./grant-credits";
import { getBalance, listLedgerEntries, listOpenHolds } from "./read-credits";
import { asReserveResult, toReserveOp } from "./reserve-credits";
import { applyOne, inTransaction } from "./run-op";
import type { CaptureReservationInput, GrantCreditsInput, ReleaseReservationInput, ReserveCreditsInput } from "./schema";
import { asSettleResult, toCaptureOp, toReleaseOp } from "./settle-reservation";
import type { GrantResult, LedgerOp, LedgerResult, ReserveResult, SettleResult } from "./types";

/*
 * Group commit for the ledger. Sixty-four callers each running their own two-statement
 * transaction on one account spend their time queued on its row lock (~350 pairs/s here);
 * the same work applied as one transaction per batch is bounded by one commit per batch.
 *
 * Calls are queued in process. Whenever fewer than `maxConcurrentBatches` transactions are in
 * flight, the queue's oldest ops form the next batch (up to `maxBatchOps`), skipping accounts
 * that already have a batch in flight, so one account is never in two of this process's
 * transactions and its ops apply in call order. A batch is one transaction of `applyOps`:
 * accounts locked in id order, each op decided against the locked figures (a rejected op writes
 * nothing and does not disturb the others), rows written in bulk, one event per account, COMMIT.
 * Only then does any caller's promise settle: durability and exactly-once are those of a single
 * call. If the transaction itself fails, each of its ops is re-run alone; ops are idempotent, so
 * an op whose batch did commit is then a replay (a capture reports 0 moved, its reservation
 * shows the outcome).
 */

export interface LedgerOptions {
  /** Most ops applied in one transaction (default 256). */
  maxBatchOps?: number;
  /** Most transactions in flight at once, each on its own connection (default 4). */
  maxConcurrentBatches?: number;
}

interface Pending {
  op: LedgerOp;
  account: string;
  resolve: (result: LedgerResult) => void;
  reject: (err: unknown) => void;
}

export function createLedger(db: Database, options: LedgerOptions = {}) {
  const maxBatchOps = options.maxBatchOps ?? 256;
  const maxConcurrent = options.maxConcurrentBatches ?? 4;
  let queue: Pending[] = [];
  const busy = new Set<string>();
  const open = new Set<Promise<unknown>>();
  let running = 0;
  let scheduled = false;

  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    // setImmediate rather than a microtask: callers woken by the previous commit queue their
    // next op first, so they share the next batch.
    setImmediate(pump);
  };

  function pump() {
    scheduled = false;
    while (running < maxConcurrent) {
      const batch = take();
      if (batch.length === 0) return;
      running++;
      void runBatch(batch).finally(() => {
        running--;
        for (const p of batch) busy.delete(p.account);
        if (queue.length > 0) schedule();
      });
    }
  }

  function take(): Pending[] {
    const batch: Pending[] = [];
    const claimed = new Set<string>();
    const rest: Pending[] = [];
    for (const p of queue) {
      const free = claimed.has(p.account) || !busy.has(p.account);
      if (free && batch.length < maxBatchOps) {
        batch.push(p);
        claimed.add(p.account);
      } else {
        rest.push(p);
      }
    }
    queue = rest;
    for (const account of claimed) busy.add(account);
    return batch;
  }

  async function runBatch(batch: Pending[]) {
    try {
      const outcomes = await inTransaction(db, (tx) => applyOps(tx, batch.map((p) => p.op)));
      batch.forEach((p, i) => {
        const outcome = outcomes[i];
        if (!outcome) p.reject(new Error("ledger: missing outcome"));
        else if (outcome.ok) p.resolve(outcome.value);
        else p.reject(outcome.error);
      });
    } catch (err) {
      if (batch.length === 1) return batch[0]?.reject(err);
      for (const p of batch) {
        try {
          p.resolve(await inTransaction(db, (tx) => applyOne(tx, p.op)));
        } catch (single) {
          p.reject(single);
        }
      }
    }
  }

  function submit(op: LedgerOp, account: string): Promise<LedgerResult> {
    const promise = new Promise<LedgerResult>((resolve, reject) => {
      queue.push({ op, account, resolve, reject });
      schedule();
    });
    open.add(promise);
    const forget = () => open.delete(promise);
    promise.then(forget, forget);
    return promise;
  }

  async function submitSettle(op: LedgerOp & { kind: "capture" | "release" }): Promise<SettleResult> {
    let account = op.userId;
    if (account === null) {
      account = (await loadReservationOwners(db, [op.reservationId])).get(op.reservationId) ?? null;
      if (account === null) {
        throw new DomainError("NOT_FOUND", "Reservation not found", { reservationId: op.reservationId });
      }
    }
    return asSettleResult(await submit({ ...op, userId: account }, account));
  }

  return {
    async grantCredits(params: GrantCreditsInput): Promise<GrantResult> {
      const op = toGrantOp(params);
      return asGrantResult(await submit(op, op.userId));
    },
    async reserveCredits(params: ReserveCreditsInput): Promise<ReserveResult> {
      const op = toReserveOp(params);
      return asReserveResult(await submit(op, op.userId));
    },
    async captureReservation(params: CaptureReservationInput): Promise<SettleResult> {
      return submitSettle({ ...toCaptureOp(params), kind: "capture" });
    },
    async releaseReservation(params: ReleaseReservationInput): Promise<SettleResult> {
      return submitSettle({ ...toReleaseOp(params), kind: "release" });
    },
    /** Like `expireHolds`, but through the queue, so it never waits on this process's batches. */
    async expireHolds(now: Date, limit = 500): Promise<SettleResult[]> {
      const ops = await findExpiredHolds(db, now, limit);
      const results = await Promise.all(ops.map((op) => submitSettle({ ...op, kind: "release" })));
      return results.filter((r) => r.settled);
    },
    ensureAccount: (params: { userId: string }) => ensureAccount(db, params),
    getBalance: (params: { userId: string }) => getBalance(db, params),
    listLedgerEntries: (params: Parameters<typeof listLedgerEntries>[1]) => listLedgerEntries(db, params),
    listOpenHolds: (params: Parameters<typeof listOpenHolds>[1]) => listOpenHolds(db, params),
    /** Resolves once every op queued so far has committed or failed (for shutdown). */
    async drain(): Promise<void> {
      while (open.size > 0) await Promise.allSettled([...open]);
    },
  };
}

export type Ledger = ReturnType<typeof createLedger>;
