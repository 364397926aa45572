import { and, asc, sql } from "drizzle-orm";

import type { DbOrTx } from "@spellcast/db";
import { creditAccounts, ledgerEntries, reservations } from "@spellcast/db";

import { anyOf } from "../lib/any-of";
import { DomainError } from "../errors";
import { grantKey, keyOf, planOps } from "./plan-ops";
import type { LedgerOp, OpOutcome, Reservation, ReserveOp, SettleOp } from "./types";
import { writePlan } from "./write-plan";

/*
 * The ledger engine: applies a list of operations inside the caller's transaction.
 *
 * Locking: a row lock (`SELECT … FOR UPDATE`) on every account the ops touch, taken first and
 * in user-id order, rather than a guarded `UPDATE … WHERE balance − held >= n`. A guarded update
 * checks one amount per statement; holding the row lock lets one transaction read the account
 * once, decide any number of ops against it in memory (plan-ops.ts) and write them with a handful
 * of multi-row statements. That is what makes batching (create-ledger.ts) cheap. Everything that
 * changes an account or its reservations takes this lock first, so with it held the reservation
 * rows and idempotency keys read below cannot change until commit: a reservation is settled at
 * most once and a key is used once. The database re-checks all of it anyway (CHECK constraints,
 * unique keys per account, `status = 'held'` guards, expected row counts): a mismatch throws and
 * rolls the whole transaction back rather than writing a wrong figure.
 *
 * Ops rejected by the plan (insufficient credits, conflicts, unknown or foreign reservations)
 * write nothing and do not abort the transaction. One `credits_changed` event per changed account
 * is appended last, with the account's final balance and held amount.
 */
export async function applyOps(tx: DbOrTx, ops: readonly LedgerOp[], at = new Date()): Promise<OpOutcome[]> {
  const early = new Map<number, DomainError>();
  const resolved = await resolveOwnersOf(tx, ops, early);
  const live = resolved.flatMap((op, i) => (op && !early.has(i) ? [op] : []));

  const accountIds = [...new Set(live.map(accountOf))].sort();
  const settleIds = live.flatMap((op) => (op.kind === "capture" || op.kind === "release" ? [op.reservationId] : []));
  const reserveOps = live.flatMap((op) => (op.kind === "reserve" ? [op] : []));
  const grantOps = live.flatMap((op) => (op.kind === "grant" ? [op] : []));
  const readRows = () =>
    Promise.all([
      readReservations(tx, settleIds),
      readReservationsByKey(tx, reserveOps),
      grantOps.length
        ? tx
            .select()
            .from(ledgerEntries)
            .where(
              and(
                anyOf(ledgerEntries.userId, grantOps.map((o) => o.userId)),
                anyOf(ledgerEntries.idempotencyKey, grantOps.map((o) => grantKey(o.key))),
              ),
            )
        : [],
    ] as const);
  // The reads go in the same round trip as the lock: the server runs them after the lock is
  // granted, so they see what the lock protects. Grants may first create a missing account and
  // lock it only then, so their reads wait for that.
  const [accounts, [byId, byKey, grants]] =
    grantOps.length === 0
      ? await Promise.all([lockAccounts(tx, accountIds, live), readRows()])
      : [await lockAccounts(tx, accountIds, live), await readRows()];

  const plan = planOps(live, {
    at,
    accounts,
    reservationsById: new Map(byId.map((r) => [r.id, r])),
    reservationsByKey: new Map(byKey.map((r) => [keyOf(r.userId, r.idempotencyKey), r])),
    grantsByKey: new Map(grants.map((e) => [keyOf(e.userId, e.idempotencyKey), e])),
  });
  const written = await writePlan(tx, plan, at);
  const known = new Map(grants.map((e) => [keyOf(e.userId, e.idempotencyKey), e]));
  for (const e of written) known.set(keyOf(e.userId, e.idempotencyKey), e);
  const lookup = (userId: string, key: string) => {
    const entry = known.get(keyOf(userId, key));
    if (!entry) throw new Error(`ledger: entry ${key} of ${userId} was not written`);
    return entry;
  };

  let next = 0;
  return resolved.map((_, i): OpOutcome => {
    const error = early.get(i);
    if (error) return { ok: false, error };
    const planned = plan.outcomes[next++];
    if (!planned) throw new Error("ledger: plan and ops out of step");
    return planned.ok ? { ok: true, value: planned.finish(lookup) } : planned;
  });
}

const accountOf = (op: LedgerOp): string => {
  if (op.userId === null) throw new Error("ledger: settle op without a resolved owner");
  return op.userId;
};

/** Owners of reservations, for ops whose caller did not name a user (owners never change). */
export async function loadReservationOwners(tx: DbOrTx, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await tx
    .select({ id: reservations.id, userId: reservations.userId })
    .from(reservations)
    .where(anyOf(reservations.id, ids));
  return new Map(rows.map((r) => [r.id, r.userId]));
}

async function resolveOwnersOf(tx: DbOrTx, ops: readonly LedgerOp[], early: Map<number, DomainError>) {
  const unowned = ops.flatMap((op) => (op.kind !== "grant" && op.kind !== "reserve" && op.userId === null ? [op] : []));
  const owners = await loadReservationOwners(
    tx,
    unowned.map((op) => op.reservationId),
  );
  return ops.map((op, i): LedgerOp | null => {
    if (op.kind === "grant" || op.kind === "reserve" || op.userId !== null) return op;
    const owner = owners.get(op.reservationId);
    if (owner !== undefined) return { ...op, userId: owner } satisfies SettleOp;
    early.set(i, new DomainError("NOT_FOUND", "Reservation not found", { reservationId: op.reservationId }));
    return null;
  });
}

/** The reservations with these ids (to settle). */
export async function readReservations(tx: DbOrTx, ids: readonly string[]): Promise<Reservation[]> {
  return ids.length ? tx.select().from(reservations).where(anyOf(reservations.id, ids)) : [];
}

/** Existing reservations under the keys of these reserve ops (a replay returns its first hold); fresh keys are not looked up. */
export async function readReservationsByKey(tx: DbOrTx, ops: readonly ReserveOp[]): Promise<Reservation[]> {
  const keyed = ops.filter((o) => !o.fresh);
  if (keyed.length === 0) return [];
  return tx
    .select()
    .from(reservations)
    .where(and(anyOf(reservations.userId, keyed.map((o) => o.userId)), anyOf(reservations.idempotencyKey, keyed.map((o) => o.key))));
}

/** Locks the accounts in id order and returns their figures (an account with no row is absent). */
export async function lockAccountRows(tx: DbOrTx, ids: readonly string[]) {
  if (ids.length === 0) return [];
  return tx
    .select({ userId: creditAccounts.userId, balance: creditAccounts.balance, held: creditAccounts.held })
    .from(creditAccounts)
    .where(anyOf(creditAccounts.userId, ids))
    .orderBy(asc(creditAccounts.userId))
    .for("update");
}

/** Locks the accounts in id order; creates missing accounts of existing users that get a grant. */
async function lockAccounts(tx: DbOrTx, ids: readonly string[], ops: readonly LedgerOp[]) {
  const rows = await lockAccountRows(tx, ids);
  const accounts = new Map(rows.map((r) => [r.userId, { balance: r.balance, held: r.held }]));
  const missing = [...new Set(ops.flatMap((op) => (op.kind === "grant" ? [op.userId] : [])))].filter(
    (id) => !accounts.has(id),
  );
  if (missing.length > 0) {
    await tx.execute(sql`
      insert into credit_accounts (user_id)
      select id from users where id in (select jsonb_array_elements_text(${JSON.stringify(missing)}::jsonb))
      order by id
      on conflict do nothing`);
    for (const r of await lockAccountRows(tx, missing.sort())) accounts.set(r.userId, { balance: r.balance, held: r.held });
  }
  return accounts;
}
