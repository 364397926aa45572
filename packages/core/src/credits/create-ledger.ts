import type { Database } from "@spellcast/db";

import { DomainError } from "../errors";
import { createGroupCommit } from "../lib/group-commit";
import { applyOps, loadReservationOwners } from "./apply-ops";
import { ensureAccount } from "./ensure-account";
import { findExpiredHolds } from "./expire-holds";
import { asGrantResult, toGrantOp } from "./grant-credits";
import { getBalance, listLedgerEntries, listOpenHolds } from "./read-credits";
import { asReserveResult, toReserveOp } from "./reserve-credits";
import { inTransaction } from "./run-op";
import type { CaptureReservationInput, GrantCreditsInput, ReleaseReservationInput, ReserveCreditsInput } from "./schema";
import { asSettleResult, toCaptureOp, toReleaseOp } from "./settle-reservation";
import type { GrantResult, LedgerOp, LedgerResult, OpOutcome, ReserveResult, SettleResult } from "./types";

/*
 * Group commit for the ledger (lib/group-commit.ts). Sixty-four callers each running their own
 * two-statement transaction on one account spend their time queued on its row lock (~350 pairs/s
 * here); the same work applied as one transaction per batch is bounded by one commit per batch.
 *
 * Keyed by account: one account is never in two of this process's transactions at once, so its
 * ops apply in call order. A batch is one transaction of `applyOps`: accounts locked in id order,
 * each op decided against the locked figures (a rejected op writes nothing and does not disturb
 * the others), rows written in bulk, one event per account, COMMIT. Only then does any caller's
 * promise settle. If the transaction itself fails, each of its ops is re-run alone; ops are
 * idempotent, so an op whose batch did commit is then a replay (a capture reports 0 moved, its
 * reservation shows the outcome).
 */

export interface LedgerOptions {
  /** Most ops applied in one transaction (default 256). */
  maxBatchOps?: number;
  /** Most transactions in flight at once, each on its own connection (default 4). */
  maxConcurrentBatches?: number;
}

interface Submitted {
  op: LedgerOp;
  account: string;
}

export function createLedger(db: Database, options: LedgerOptions = {}) {
  const commits = createGroupCommit(
    (batch: Submitted[]): Promise<OpOutcome[]> => inTransaction(db, (tx) => applyOps(tx, batch.map((s) => s.op))),
    { maxBatch: options.maxBatchOps ?? 256, maxInFlight: options.maxConcurrentBatches ?? 4, keyOf: (s) => s.account },
  );

  async function submit(op: LedgerOp, account: string): Promise<LedgerResult> {
    const outcome = await commits.submit({ op, account });
    if (!outcome.ok) throw outcome.error;
    return outcome.value;
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
    drain: () => commits.drain(),
  };
}

export type Ledger = ReturnType<typeof createLedger>;
