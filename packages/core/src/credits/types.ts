import type { creditAccounts, ledgerEntries, reservations } from "@spellcast/db";

import type { DomainError } from "../errors";
import type { CreditSubject } from "./schema";

export type CreditAccount = typeof creditAccounts.$inferSelect;
export type LedgerEntry = typeof ledgerEntries.$inferSelect;
export type Reservation = typeof reservations.$inferSelect;

/** An account's figures after an operation. `available = balance − held` is what can be reserved. */
export interface AccountSnapshot {
  balance: number;
  held: number;
  available: number;
}

export interface GrantResult {
  kind: "grant";
  entry: LedgerEntry;
  /** Credits added to the balance (the grant's amount, also on a replay). */
  moved: number;
  account: AccountSnapshot;
  /** True when the key had been used before and nothing new was written. */
  replayed: boolean;
}

export interface ReserveResult {
  kind: "reserve";
  /** The reservation as it is now (a replay may find it settled since). */
  reservation: Reservation;
  /** Credits put on hold (the reservation's amount, also on a replay). */
  moved: number;
  account: AccountSnapshot;
  replayed: boolean;
}

/** Result of a capture or a release. A reservation already settled reports 0 moved. */
export interface SettleResult {
  kind: "capture" | "release";
  reservation: Reservation;
  /** Credits taken from the balance by this call. */
  captured: number;
  /** Credits returned to available by this call. */
  released: number;
  /** captured + released: the hold this call removed; 0 if it was already settled. */
  moved: number;
  /** True when this call settled the reservation. */
  settled: boolean;
  account: AccountSnapshot;
}

export type LedgerResult = GrantResult | ReserveResult | SettleResult;

// Operations as the engine (apply-ops.ts) takes them, already validated.

export interface GrantOp {
  kind: "grant";
  userId: string;
  amount: number;
  reason: string;
  subject: CreditSubject;
  actorId: string | null;
  key: string;
}

export interface ReserveOp {
  kind: "reserve";
  userId: string;
  amount: number;
  subject: CreditSubject;
  key: string;
  expiresAt: Date;
  /**
   * The key was made for this op (a new session's own id): no earlier reservation can hold it, so
   * it is not looked up. The unique key per account still refuses a duplicate at write.
   */
  fresh?: boolean;
}

export interface SettleOp {
  kind: "capture" | "release";
  reservationId: string;
  /** The caller's claim of ownership; null when the caller did not name a user. */
  userId: string | null;
  /** Captured amount for a capture; ignored for a release. */
  actualAmount: number;
  reason: string | null;
}

export type LedgerOp = GrantOp | ReserveOp | SettleOp;

export type OpOutcome<R extends LedgerResult = LedgerResult> =
  | { ok: true; value: R }
  | { ok: false; error: DomainError };
