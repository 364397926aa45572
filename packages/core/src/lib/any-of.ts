import type { SQL } from "drizzle-orm";
import { sql } from "drizzle-orm";
import type { AnyPgColumn } from "drizzle-orm/pg-core";

/**
 * `column = any($1::type[])`: one array parameter, so the statement text is the same whatever the
 * number of values — prepared once per connection and pipelined after that (an `in (…)` list is
 * a new statement for every length).
 */
export function anyOf(column: AnyPgColumn, values: Iterable<string>): SQL {
  return sql`${column} = any(${sql.param([...new Set(values)])}::${sql.raw(column.getSQLType())}[])`;
}

/**
 * `jsonb_to_recordset($1::jsonb) as <alias>(<columns>)`: many rows as one parameter, for a batch
 * UPDATE … FROM or INSERT … SELECT whose text does not change with the batch size.
 */
export function recordset(rows: readonly Record<string, unknown>[], alias: string, columns: string): SQL {
  return sql`jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as ${sql.raw(alias)}(${sql.raw(columns)})`;
}
