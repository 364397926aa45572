import { randomUUID } from "node:crypto";

import type { ledgerEntries } from "@spellcast/db";

import { DomainError } from "../errors";
import type {
  AccountSnapshot,
  GrantOp,
  LedgerEntry,
  LedgerOp,
  LedgerResult,
  Reservation,
  ReserveOp,
  SettleOp,
} from "./types";

// Pure part of the engine: given the locked accounts and the rows an op list refers to, decide
// each op's outcome in order and collect the rows to write. Nothing here touches the database,
// so a rejected op (insufficient credits, conflict, bad reservation) never writes anything and
// never aborts the transaction it shares with other ops.

export type NewLedgerEntry = typeof ledgerEntries.$inferInsert & { userId: string; idempotencyKey: string };

/** Finds an entry written by this batch (after insert) or loaded before it, by account + key. */
export type EntryLookup = (userId: string, idempotencyKey: string) => LedgerEntry;

export type PlannedOutcome =
  | { ok: true; finish: (entries: EntryLookup) => LedgerResult }
  | { ok: false; error: DomainError };

export interface PlanInput {
  at: Date;
  /** Locked accounts by user id; an account missing here has no row (balance 0). */
  accounts: Map<string, { balance: number; held: number }>;
  reservationsById: Map<string, Reservation>;
  /** Existing reservations by `keyOf(userId, key)`. */
  reservationsByKey: Map<string, Reservation>;
  /** Existing grant entries by `keyOf(userId, "grant:" + key)`. */
  grantsByKey: Map<string, LedgerEntry>;
}

export interface Plan {
  outcomes: PlannedOutcome[];
  newReservations: Reservation[];
  settledReservations: Reservation[];
  entries: NewLedgerEntry[];
  /** Accounts this plan changes, with their final figures. */
  touched: Map<string, { balance: number; held: number }>;
}

export const keyOf = (userId: string, key: string) => `${userId}\n${key}`;
export const grantKey = (key: string) => `grant:${key}`;
export const reserveKey = (key: string) => `reserve:${key}`;

export function planOps(ops: readonly LedgerOp[], input: PlanInput): Plan {
  const { at } = input;
  const accounts = new Map([...input.accounts].map(([id, a]) => [id, { balance: a.balance, held: a.held }]));
  const reservationsById = new Map(input.reservationsById);
  const reservationsByKey = new Map(input.reservationsByKey);
  const grantsByKey = new Map<string, LedgerEntry | GrantOp>(input.grantsByKey);
  const plan: Plan = { outcomes: [], newReservations: [], settledReservations: [], entries: [], touched: new Map() };

  const snapshot = (userId: string): AccountSnapshot => {
    const a = accounts.get(userId) ?? { balance: 0, held: 0 };
    return { balance: a.balance, held: a.held, available: a.balance - a.held };
  };
  const write = (entry: Omit<NewLedgerEntry, "balanceAfter" | "heldAfter" | "createdAt">) => {
    const account = accounts.get(entry.userId);
    if (!account) throw new Error(`ledger: account ${entry.userId} not locked`);
    account.balance += entry.amount;
    account.held += entry.heldDelta;
    plan.entries.push({ ...entry, balanceAfter: account.balance, heldAfter: account.held, createdAt: at });
    plan.touched.set(entry.userId, account);
  };
  const fail = (error: DomainError) => plan.outcomes.push({ ok: false, error });
  const succeed = (finish: (entries: EntryLookup) => LedgerResult) => plan.outcomes.push({ ok: true, finish });

  const grant = (op: GrantOp) => {
    const k = grantKey(op.key);
    const seen = grantsByKey.get(keyOf(op.userId, k));
    if (seen) {
      if (!sameGrant(op, seen)) return fail(conflict(op.key));
      const account = snapshot(op.userId);
      return succeed((entries) => ({
        kind: "grant",
        entry: entries(op.userId, k),
        moved: seen.amount,
        account,
        replayed: true,
      }));
    }
    const account = accounts.get(op.userId);
    if (!account) return fail(new DomainError("NOT_FOUND", "User not found", { userId: op.userId }));
    if (account.balance + op.amount > Number.MAX_SAFE_INTEGER) {
      return fail(new DomainError("INVALID_STATE", "Balance would overflow", { userId: op.userId }));
    }
    grantsByKey.set(keyOf(op.userId, k), op);
    write({
      userId: op.userId,
      kind: "grant",
      amount: op.amount,
      heldDelta: 0,
      reservationId: null,
      subjectType: op.subject.type,
      subjectId: op.subject.id,
      actorId: op.actorId,
      reason: op.reason,
      idempotencyKey: k,
    });
    const after = snapshot(op.userId);
    return succeed((entries) => ({
      kind: "grant",
      entry: entries(op.userId, k),
      moved: op.amount,
      account: after,
      replayed: false,
    }));
  };

  const reserve = (op: ReserveOp) => {
    const seen = reservationsByKey.get(keyOf(op.userId, op.key));
    if (seen) {
      const current = reservationsById.get(seen.id) ?? seen;
      if (current.amount !== op.amount || current.subjectType !== op.subject.type || current.subjectId !== op.subject.id) {
        return fail(conflict(op.key));
      }
      const account = snapshot(op.userId);
      return succeed(() => ({ kind: "reserve", reservation: current, moved: current.amount, account, replayed: true }));
    }
    const before = snapshot(op.userId);
    if (!accounts.has(op.userId) || before.available < op.amount) {
      return fail(
        new DomainError("INSUFFICIENT_CREDITS", "Not enough credits available", {
          available: before.available,
          requested: op.amount,
        }),
      );
    }
    const reservation: Reservation = {
      id: randomUUID(),
      userId: op.userId,
      amount: op.amount,
      captured: 0,
      released: 0,
      status: "held",
      subjectType: op.subject.type,
      subjectId: op.subject.id,
      idempotencyKey: op.key,
      expiresAt: op.expiresAt,
      createdAt: at,
      settledAt: null,
    };
    plan.newReservations.push(reservation);
    reservationsById.set(reservation.id, reservation);
    reservationsByKey.set(keyOf(op.userId, op.key), reservation);
    write({
      userId: op.userId,
      kind: "reserve",
      amount: 0,
      heldDelta: op.amount,
      reservationId: reservation.id,
      subjectType: op.subject.type,
      subjectId: op.subject.id,
      actorId: null,
      reason: null,
      idempotencyKey: reserveKey(op.key),
    });
    const after = snapshot(op.userId);
    return succeed(() => ({ kind: "reserve", reservation, moved: op.amount, account: after, replayed: false }));
  };

  const settle = (op: SettleOp) => {
    const r = reservationsById.get(op.reservationId);
    if (!r) return fail(new DomainError("NOT_FOUND", "Reservation not found", { reservationId: op.reservationId }));
    if (op.userId !== null && r.userId !== op.userId) {
      return fail(new DomainError("FORBIDDEN", "Reservation belongs to another account", { reservationId: r.id }));
    }
    if (op.kind === "capture" && op.actualAmount > r.amount) {
      return fail(
        new DomainError("INVALID_INPUT", "Cannot capture more than was reserved", {
          reserved: r.amount,
          actualAmount: op.actualAmount,
        }),
      );
    }
    if (r.status !== "held") {
      const account = snapshot(r.userId);
      return succeed(() => ({ kind: op.kind, reservation: r, captured: 0, released: 0, moved: 0, settled: false, account }));
    }
    const captured = op.kind === "capture" ? op.actualAmount : 0;
    const released = r.amount - captured;
    const base = {
      userId: r.userId,
      reservationId: r.id,
      subjectType: r.subjectType,
      subjectId: r.subjectId,
      actorId: null,
      reason: op.reason,
    };
    if (op.kind === "capture") {
      write({ ...base, kind: "capture", amount: -captured, heldDelta: -captured, idempotencyKey: `capture:${r.id}` });
    }
    if (released > 0) {
      write({ ...base, kind: "release", amount: 0, heldDelta: -released, idempotencyKey: `release:${r.id}` });
    }
    const status = op.kind === "capture" ? "captured" : "released";
    const settledRow: Reservation = { ...r, status, captured, released, settledAt: at };
    reservationsById.set(r.id, settledRow);
    plan.settledReservations.push(settledRow);
    const account = snapshot(r.userId);
    return succeed(() => ({
      kind: op.kind,
      reservation: settledRow,
      captured,
      released,
      moved: captured + released,
      settled: true,
      account,
    }));
  };

  for (const op of ops) {
    if (op.kind === "grant") grant(op);
    else if (op.kind === "reserve") reserve(op);
    else settle(op);
  }
  return plan;
}

function sameGrant(op: GrantOp, seen: LedgerEntry | GrantOp): boolean {
  const subject = "subject" in seen ? seen.subject : { type: seen.subjectType, id: seen.subjectId };
  return (
    seen.amount === op.amount &&
    seen.reason === op.reason &&
    subject.type === op.subject.type &&
    subject.id === op.subject.id &&
    (seen.actorId ?? null) === op.actorId
  );
}

function conflict(key: string): DomainError {
  return new DomainError("CONFLICT", "Idempotency key already used with different arguments", { key });
}
