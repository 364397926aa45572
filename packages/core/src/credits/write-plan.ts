import { sql } from "drizzle-orm";

import type { DbOrTx } from "@spellcast/db";

import { appendCreditEvents } from "./append-credit-events";
import type { NewLedgerEntry, Plan } from "./plan-ops";
import type { CreditsChangedPayload } from "./schema";
import type { LedgerEntry, Reservation } from "./types";

// Rows travel as one jsonb parameter per statement (jsonb_to_recordset): the statement text is
// the same whatever the batch size, so it stays prepared, and a 100-row batch is one round trip.

/** Writes a plan's rows in bulk, checks the database agrees, then appends the events. */
export async function writePlan(tx: DbOrTx, plan: Plan, at: Date): Promise<LedgerEntry[]> {
  // Pipelined: the statements go out together and run in this order (reservations before the
  // entries that reference them), one round trip instead of four.
  const [, , written, updated] = await Promise.all([
    plan.newReservations.length > 0 ? insertReservations(tx, plan.newReservations) : null,
    plan.settledReservations.length > 0 ? settleReservations(tx, plan.settledReservations, at) : null,
    plan.entries.length > 0 ? insertEntries(tx, plan.entries) : [],
    plan.touched.size > 0 ? updateAccounts(tx, plan, at) : [],
  ]);
  if (plan.touched.size === 0) return written;
  for (const row of updated) {
    const expected = plan.touched.get(row.user_id);
    if (!expected || Number(row.balance) !== expected.balance || Number(row.held) !== expected.held) {
      throw new Error(`ledger: account ${row.user_id} changed outside its lock`);
    }
  }
  if (updated.length !== plan.touched.size) throw new Error("ledger: account update count mismatch");

  // Last: one event per changed account, with its final figures and what moved.
  const byUser = new Map<string, LedgerEntry[]>();
  for (const e of written) {
    const list = byUser.get(e.userId);
    if (list) list.push(e);
    else byUser.set(e.userId, [e]);
  }
  await appendCreditEvents(
    tx,
    [...plan.touched].map(([userId, account]) => ({
      userId,
      payload: {
        balance: account.balance,
        held: account.held,
        available: account.balance - account.held,
        changes: (byUser.get(userId) ?? []).map((e) => ({
          entryId: e.id,
          kind: e.kind,
          amount: e.amount,
          heldDelta: e.heldDelta,
          reservationId: e.reservationId,
        })),
      } satisfies CreditsChangedPayload,
    })),
  );
  return written;
}

/** Applies each account's summed deltas; returns the figures the database now holds. */
async function updateAccounts(tx: DbOrTx, plan: Plan, at: Date) {
  const deltas = new Map<string, { balance: number; held: number }>();
  for (const e of plan.entries) {
    const d = deltas.get(e.userId) ?? { balance: 0, held: 0 };
    d.balance += e.amount;
    d.held += e.heldDelta;
    deltas.set(e.userId, d);
  }
  const rows = [...deltas].map(([userId, d]) => ({ user_id: userId, d_balance: d.balance, d_held: d.held }));
  return tx.execute<{ user_id: string; balance: string; held: string }>(sql`
    update credit_accounts a
    set balance = a.balance + v.d_balance, held = a.held + v.d_held, updated_at = ${at.toISOString()}::timestamptz
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as v(user_id text, d_balance bigint, d_held bigint)
    where a.user_id = v.user_id
    returning a.user_id, a.balance, a.held`);
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

async function insertReservations(tx: DbOrTx, rows: readonly Reservation[]) {
  const json = rows.map((r) => ({
    id: r.id,
    user_id: r.userId,
    amount: r.amount,
    subject_type: r.subjectType,
    subject_id: r.subjectId,
    idempotency_key: r.idempotencyKey,
    expires_at: r.expiresAt.toISOString(),
    created_at: r.createdAt.toISOString(),
  }));
  await tx.execute(sql`
    insert into reservations (id, user_id, amount, subject_type, subject_id, idempotency_key, expires_at, created_at)
    select id, user_id, amount, subject_type, subject_id, idempotency_key, expires_at, created_at
    from jsonb_to_recordset(${JSON.stringify(json)}::jsonb) as v(id uuid, user_id text, amount integer,
      subject_type text, subject_id text, idempotency_key text, expires_at timestamptz, created_at timestamptz)`);
}

async function insertEntries(tx: DbOrTx, rows: readonly NewLedgerEntry[]): Promise<LedgerEntry[]> {
  const json = rows.map((e, n) => ({
    n,
    user_id: e.userId,
    kind: e.kind,
    amount: e.amount,
    held_delta: e.heldDelta,
    balance_after: e.balanceAfter,
    held_after: e.heldAfter,
    reservation_id: e.reservationId ?? null,
    subject_type: e.subjectType,
    subject_id: e.subjectId,
    actor_id: e.actorId ?? null,
    reason: e.reason ?? null,
    idempotency_key: e.idempotencyKey,
    created_at: (e.createdAt ?? new Date()).toISOString(),
  }));
  // Rows go in (and ids come out) in plan order, so ids follow the running balances.
  const ids = await tx.execute<{ id: string }>(sql`
    insert into ledger_entries (user_id, kind, amount, held_delta, balance_after, held_after, reservation_id,
      subject_type, subject_id, actor_id, reason, idempotency_key, created_at)
    select user_id, kind::ledger_entry_kind, amount, held_delta, balance_after, held_after, reservation_id,
      subject_type, subject_id, actor_id, reason, idempotency_key, created_at
    from jsonb_to_recordset(${JSON.stringify(json)}::jsonb) as v(n integer, user_id text, kind text,
      amount integer, held_delta integer, balance_after bigint, held_after bigint, reservation_id uuid,
      subject_type text, subject_id text, actor_id text, reason text, idempotency_key text, created_at timestamptz)
    order by n
    returning id`);
  if (ids.length !== rows.length) throw new Error("ledger: entry insert count mismatch");
  return rows.map((e, i) => ({
    id: Number(ids[i]?.id),
    userId: e.userId,
    kind: e.kind,
    amount: e.amount,
    heldDelta: e.heldDelta,
    balanceAfter: e.balanceAfter,
    heldAfter: e.heldAfter,
    reservationId: e.reservationId ?? null,
    subjectType: e.subjectType,
    subjectId: e.subjectId,
    actorId: e.actorId ?? null,
    reason: e.reason ?? null,
    idempotencyKey: e.idempotencyKey,
    createdAt: e.createdAt ?? new Date(),
  }));
}
