import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";

import { preparingClient } from "./prepared-client";
import * as schema from "./schema";

export interface CreateDbOptions {
  /** Pool size; postgres-js opens connections lazily up to this many. */
  max?: number;
  /** Application name shown in pg_stat_activity, so a connection can be traced to its process. */
  appName?: string;
  /** Server-side cap on any one statement (default: none). */
  statementTimeoutMs?: number;
}

/**
 * A session left idle inside a transaction (its process hung or lost between statements) holds
 * its row locks; after this long the server ends it rather than let it stall every writer queued
 * behind those locks — a group-committed batch among them.
 */
const IDLE_IN_TRANSACTION_TIMEOUT_MS = 60_000;

export function createDb(url: string, options: CreateDbOptions = {}) {
  const sql = postgres(url, {
    max: options.max ?? 10,
    onnotice: () => undefined,
    connection: {
      application_name: options.appName ?? "spellcast",
      idle_in_transaction_session_timeout: IDLE_IN_TRANSACTION_TIMEOUT_MS,
      ...(options.statementTimeoutMs ? { statement_timeout: options.statementTimeoutMs } : {}),
    },
  });
  const db = drizzle(preparingClient(sql), { schema, casing: "snake_case" });
  return { db, sql, close: () => sql.end({ timeout: 5 }) };
}

export type Database = ReturnType<typeof createDb>["db"];
/** A database handle or an open transaction: core functions accept either. */
export type DbOrTx = Database | Parameters<Parameters<Database["transaction"]>[0]>[0];
