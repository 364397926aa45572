import type { SQL } from "drizzle-orm";
import { sql } from "drizzle-orm";
import type { AnyPgColumn } from "drizzle-orm/pg-core";

/**
 * `case <key> when … then … else <column> end`: a different new value per row, so one UPDATE
 * statement can write many rows (a batch of step transitions costs one round trip, not one per
 * row). Rows whose key is not listed keep their value. Each value is encoded by the column and
 * cast to its type: a bare parameter inside CASE has no type of its own.
 */
export function caseWhen(key: AnyPgColumn | SQL, column: AnyPgColumn, values: ReadonlyMap<string, unknown>): SQL {
  if (values.size === 0) return sql`${column}`;
  const type = sql.raw(column.getSQLType());
  const branches = [...values].map(([k, value]) => sql`when ${k} then ${sql.param(value, column)}::${type}`);
  return sql`case ${key} ${sql.join(branches, sql` `)} else ${column} end`;
}
