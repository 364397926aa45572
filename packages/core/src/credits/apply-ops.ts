import { and, asc, inArray, sql } from "drizzle-orm";

import type { DbOrTx } from "@spellcast/db";
import { creditAccounts, ledgerEntries, reservations } from "@spellcast/db";

import { DomainError } from "../errors";
import { appendEvent } from "../events/append-event";
import type { Plan } from "./plan-ops";
import { grantKey, keyOf, planOps } from "./plan-ops";
import type { LedgerEntry, LedgerOp, OpOutcome, Reservation, SettleOp } from "./types";

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
  const accounts = await lockAccounts(tx, accountIds, live);

  const settleIds = live.flatMap((op) => (op.kind === "capture" || op.kind === "release" ? [op.reservationId] : []));
  const reserveOps = live.flatMap((op) => (op.kind === "reserve" ? [op] : []));
  const grantOps = live.flatMap((op) => (op.kind === "grant" ? [op] : []));
  const [byId, byKey, grants] = await Promise.all([
    settleIds.length ? tx.select().from(reservations).where(inArray(reservations.id, settleIds)) : [],
    reserveOps.length
      ? tx
          .select()
          .from(reservations)
          .where(
            and(
              inArray(reservations.userId, [...new Set(reserveOps.map((o) => o.userId))]),
              inArray(reservations.idempotencyKey, [...new Set(reserveOps.map((o) => o.key))]),
            ),
          )
      : [],
    grantOps.length
      ? tx
          .select()
          .from(ledgerEntries)
          .where(
            and(
              inArray(ledgerEntries.userId, [...new Set(grantOps.map((o) => o.userId))]),
              inArray(ledgerEntries.idempotencyKey, [...new Set(grantOps.map((o) => grantKey(o.key)))]),
            ),
          )
      : [],
  ]);

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
    .where(inArray(reservations.id, [...new Set(ids)]));
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

/** Locks the accounts in id order; creates missing accounts of existing users that get a grant. */
async function lockAccounts(tx: DbOrTx, ids: readonly string[], ops: readonly LedgerOp[]) {
  const lock = (which: readonly string[]) =>
    which.length === 0
      ? Promise.resolve([])
      : tx
          .select({ userId: creditAccounts.userId, balance: creditAccounts.balance, held: creditAccounts.held })
          .from(creditAccounts)
          .where(inArray(creditAccounts.userId, [...which]))
          .orderBy(asc(creditAccounts.userId))
          .for("update");
  const rows = await lock(ids);
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
    for (const r of await lock(missing.sort())) accounts.set(r.userId, { balance: r.balance, held: r.held });
  }
  return accounts;
}

async function writePlan(tx: DbOrTx, plan: Plan, at: Date): Promise<LedgerEntry[]> {
  if (plan.newReservations.length > 0) await tx.insert(reservations).values(plan.newReservations);
  if (plan.settledReservations.length > 0) await settleReservations(tx, plan.settledReservations, at);
  const written = plan.entries.length > 0 ? await tx.insert(ledgerEntries).values(plan.entries).returning() : [];
  if (plan.touched.size === 0) return written;

  const deltas = new Map<string, { balance: number; held: number }>();
  for (const e of plan.entries) {
    const d = deltas.get(e.userId) ?? { balance: 0, held: 0 };
    d.balance += e.amount;
    d.held += e.heldDelta;
    deltas.set(e.userId, d);
  }
  const rows = [...deltas].map(([userId, d]) => ({ user_id: userId, d_balance: d.balance, d_held: d.held }));
  const updated = await tx.execute<{ user_id: string; balance: string; held: string }>(sql`
    update credit_accounts a
    set balance = a.balance + v.d_balance, held = a.held + v.d_held, updated_at = ${at.toISOString()}::timestamptz
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as v(user_id text, d_balance bigint, d_held bigint)
    where a.user_id = v.user_id
    returning a.user_id, a.balance, a.held`);
  for (const row of updated) {
    const expected = plan.touched.get(row.user_id);
    if (!expected || Number(row.balance) !== expected.balance || Number(row.held) !== expected.held) {
      throw new Error(`ledger: account ${row.user_id} changed outside its lock`);
    }
  }
  if (updated.length !== plan.touched.size) throw new Error("ledger: account update count mismatch");

  // Last: one event per changed account, in user-id order (appendEvent takes a per-user lock).
  // The calls are issued together so postgres-js pipelines them on the transaction's connection.
  const byUser = new Map<string, LedgerEntry[]>();
  for (const e of written) {
    const list = byUser.get(e.userId);
    if (list) list.push(e);
    else byUser.set(e.userId, [e]);
  }
  await Promise.all(
    [...plan.touched.keys()].sort().map((userId) => {
      const account = plan.touched.get(userId) ?? { balance: 0, held: 0 };
      const changes = (byUser.get(userId) ?? []).map((e) => ({
        entryId: e.id,
        kind: e.kind,
        amount: e.amount,
        heldDelta: e.heldDelta,
        reservationId: e.reservationId,
      }));
      return appendEvent(tx, {
        userId,
        type: "credits_changed",
        subjectId: userId,
        payload: { balance: account.balance, held: account.held, available: account.balance - account.held, changes },
      });
    }),
  );
  return written;
}

async function settleReservations(tx: DbOrTx, settled: readonly Reservation[], at: Date) {
  const rows = settled.map((r) => ({ id: r.id, status: r.status, captured: r.captured, released: r.released }));
  const updated = await tx.execute<{ id: string }>(sql`
    update reservations r
    set status = v.status::reservation_status, captured = v.captured, released = v.released,
        settled_at = ${at.toISOString()}::timestamptz
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as v(id uuid, status text, captured integer, released integer)
    where r.id = v.id and r.status = 'held'
    returning r.id`);
  if (updated.length !== settled.length) throw new Error("ledger: a reservation was settled outside its lock");
}
