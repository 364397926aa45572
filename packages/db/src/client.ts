import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";

import { preparingClient } from "./prepared-client";
import * as schema from "./schema";

export interface CreateDbOptions {
  /** Pool size; postgres-js opens connections lazily up to this many. */
  max?: number;
  /** Application name shown in pg_stat_activity, so a connection can be traced to its process. */
  appName?: string;
}

export function createDb(url: string, options: CreateDbOptions = {}) {
  const sql = postgres(url, {
    max: options.max ?? 10,
    onnotice: () => undefined,
    connection: { application_name: options.appName ?? "spellcast" },
  });
  const db = drizzle(preparingClient(sql), { schema, casing: "snake_case" });
  return { db, sql, close: () => sql.end({ timeout: 5 }) };
}

export type Database = ReturnType<typeof createDb>["db"];
/** A database handle or an open transaction: core functions accept either. */
export type DbOrTx = Database | Parameters<Parameters<Database["transaction"]>[0]>[0];
