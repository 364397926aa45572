import type { DbOrTx } from "@spellcast/db";

import { lockAccountRows, readReservations, readReservationsByKey } from "./apply-ops";
import type { Plan } from "./plan-ops";
import { keyOf, planOps } from "./plan-ops";
import type { OpOutcome, Reservation, ReserveOp, SettleOp } from "./types";
import { writePlan } from "./write-plan";

/**
 * One transaction's ledger work decided in steps and written once: a completion batch captures
 * its steps' holds, then holds the next steps and the new casts they lead to, and only then writes
 * — one account update and one `credits_changed` event per account, in one round trip the caller
 * sends with its own statements. Each `decide` plans its ops (plan-ops.ts, as `applyOps` does)
 * against the accounts as the decisions before it left them, reading only what it has not seen:
 * an account on first sight (locked then, `FOR UPDATE`, in user order within one call), the
 * reservations it settles, and the keys of reserve ops that are not `fresh`. So a batch whose
 * accounts are already known holds its new steps without a round trip. The database re-checks
 * the figures at `write` (apply-ops.ts, write-plan.ts), as for a single call.
 */
export interface LedgerBatch {
  /** Locks these accounts (one statement, user order) unless this batch has them already. */
  lock(userIds: readonly string[]): Promise<void>;
  /** Decides `ops` in order. Settle ops must name their user. Nothing is written until `write`. */
  decide(ops: ReadonlyArray<ReserveOp | SettleOp>): Promise<OpOutcome[]>;
  /** Credits `userId` has available after the decisions so far (locks the account on first sight). */
  available(userId: string): Promise<number>;
  /** Writes everything decided since the last write; resolves once the database agreed. */
  write(): Promise<void>;
}

export function createLedgerBatch(tx: DbOrTx, at = new Date()): LedgerBatch {
  const accounts = new Map<string, { balance: number; held: number }>();
  const locking = new Map<string, Promise<void>>();
  const reservationsById = new Map<string, Reservation>();
  let pending: Plan[] = [];

  const lock = async (userIds: readonly string[]) => {
    const unseen = [...new Set(userIds)].filter((id) => !locking.has(id)).sort();
    if (unseen.length > 0) {
      const locked = lockAccountRows(tx, unseen).then((rows) => {
        for (const row of rows) accounts.set(row.userId, { balance: row.balance, held: row.held });
      });
      for (const id of unseen) locking.set(id, locked);
    }
    await Promise.all(userIds.map((id) => locking.get(id)));
  };

  const decide = async (ops: ReadonlyArray<ReserveOp | SettleOp>): Promise<OpOutcome[]> => {
    const owners = ops.map((op) => {
      if (op.userId === null) throw new Error("ledger batch: a settle op must name its user");
      return op.userId;
    });
    const settleIds = ops.flatMap((op) => (op.kind !== "reserve" && !reservationsById.has(op.reservationId) ? [op.reservationId] : []));
    const reserves = ops.filter((op): op is ReserveOp => op.kind === "reserve");
    // Pipelined: locks, then the rows the ops refer to, in one round trip (none when all are known).
    const [, settled, byKey] = await Promise.all([lock(owners), readReservations(tx, settleIds), readReservationsByKey(tx, reserves)]);
    for (const r of settled) reservationsById.set(r.id, r);
    const plan = planOps(ops, {
      at,
      accounts,
      reservationsById,
      reservationsByKey: new Map(byKey.map((r) => [keyOf(r.userId, r.idempotencyKey), r])),
      grantsByKey: new Map(),
    });
    for (const [userId, figures] of plan.touched) accounts.set(userId, { ...figures });
    for (const r of [...plan.newReservations, ...plan.settledReservations]) reservationsById.set(r.id, r);
    pending.push(plan);
    return plan.outcomes.map((o) => (o.ok ? { ok: true, value: o.finish(noEntries) } : o));
  };

  return {
    lock,
    decide,
    async available(userId) {
      await lock([userId]);
      const account = accounts.get(userId);
      return account ? account.balance - account.held : 0;
    },
    async write() {
      const plans = pending;
      pending = [];
      if (plans.length === 0) return;
      // The plans ran one after another on the same figures: their rows in order, each account's last figures.
      await writePlan(
        tx,
        {
          outcomes: [],
          newReservations: plans.flatMap((p) => p.newReservations),
          settledReservations: plans.flatMap((p) => p.settledReservations),
          entries: plans.flatMap((p) => p.entries),
          touched: new Map(plans.flatMap((p) => [...p.touched])),
        },
        at,
      );
    },
  };
}

/** Reserve and settle outcomes never read the entries written (only grants do). */
const noEntries = (): never => {
  throw new Error("ledger batch: reserve and settle outcomes read no entries");
};
