import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  check,
  index,
  integer,
  pgEnum,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";

import { users } from "./auth";

// Credit ledger. Amounts are whole credits (integers, never floats).
//
// Sign convention of `ledger_entries`: `amount` is the entry's change to the account's `balance`
// and `held_delta` its change to `held`, so for every account
//   balance = Σ amount   and   held = Σ held_delta
//   grant   +n /  0      reserve  0 / +n      capture −c / −c      release  0 / −r
//   adjust  ±n /  0
// `balance` counts every credit the user owns, held ones included; what they can spend is
// `balance − held`.

export const ledgerEntryKind = pgEnum("ledger_entry_kind", ["grant", "reserve", "capture", "release", "adjust"]);
export const reservationStatus = pgEnum("reservation_status", ["held", "captured", "released"]);

/** One row per user. Written only while holding its row lock (see packages/core/src/credits). */
export const creditAccounts = pgTable(
  "credit_accounts",
  {
    userId: text()
      .primaryKey()
      .references(() => users.id, { onDelete: "cascade" }),
    balance: bigint({ mode: "number" }).notNull().default(0),
    held: bigint({ mode: "number" }).notNull().default(0),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check("credit_accounts_held_nonnegative", sql`${t.held} >= 0`),
    check("credit_accounts_held_within_balance", sql`${t.held} <= ${t.balance}`),
  ],
);

/** A hold on credits for one piece of work; settled (captured or released) exactly once. */
export const reservations = pgTable(
  "reservations",
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: text()
      .notNull()
      .references(() => creditAccounts.userId, { onDelete: "cascade" }),
    amount: integer().notNull(),
    captured: integer().notNull().default(0),
    released: integer().notNull().default(0),
    status: reservationStatus().notNull().default("held"),
    subjectType: text().notNull(),
    subjectId: text().notNull(),
    idempotencyKey: text().notNull(),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    settledAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    uniqueIndex().on(t.userId, t.idempotencyKey),
    index().on(t.userId, t.status, t.createdAt),
    index("reservations_held_expiry_idx").on(t.expiresAt).where(sql`${t.status} = 'held'`),
    check("reservations_amount_positive", sql`${t.amount} > 0`),
    check(
      "reservations_settlement_consistent",
      sql`(${t.status} = 'held' and ${t.captured} = 0 and ${t.released} = 0 and ${t.settledAt} is null)
        or (${t.status} <> 'held' and ${t.captured} >= 0 and ${t.released} >= 0
            and ${t.captured} + ${t.released} = ${t.amount} and ${t.settledAt} is not null)`,
    ),
  ],
);

/** Append-only: every change to an account's balance or held amount is one row here. */
export const ledgerEntries = pgTable(
  "ledger_entries",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    userId: text()
      .notNull()
      .references(() => creditAccounts.userId, { onDelete: "cascade" }),
    kind: ledgerEntryKind().notNull(),
    /** Change to `balance` (see the sign convention above). */
    amount: integer().notNull(),
    /** Change to `held`. */
    heldDelta: integer().notNull(),
    balanceAfter: bigint({ mode: "number" }).notNull(),
    heldAfter: bigint({ mode: "number" }).notNull(),
    reservationId: uuid().references(() => reservations.id, { onDelete: "cascade" }),
    /** What the credits were for: session, cast, admin_grant, signup, seed… */
    subjectType: text().notNull(),
    subjectId: text().notNull(),
    /** Who caused it when not the owner (the admin who granted); kept even if that user goes. */
    actorId: text(),
    reason: text(),
    /** Unique per account; namespaced by operation (`grant:…`, `reserve:…`, `capture:<id>`…). */
    idempotencyKey: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex().on(t.userId, t.idempotencyKey),
    index().on(t.userId, t.id),
    index().on(t.reservationId),
    check(
      "ledger_entries_kind_signs",
      sql`case ${t.kind}
        when 'grant' then ${t.amount} > 0 and ${t.heldDelta} = 0 and ${t.reservationId} is null
        when 'adjust' then ${t.amount} <> 0 and ${t.heldDelta} = 0 and ${t.reservationId} is null
        when 'reserve' then ${t.amount} = 0 and ${t.heldDelta} > 0 and ${t.reservationId} is not null
        when 'capture' then ${t.amount} = ${t.heldDelta} and ${t.amount} <= 0 and ${t.reservationId} is not null
        when 'release' then ${t.amount} = 0 and ${t.heldDelta} < 0 and ${t.reservationId} is not null
      end`,
    ),
  ],
);
