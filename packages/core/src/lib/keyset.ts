import type { SQL } from "drizzle-orm";
import { and, desc, eq, lt, or } from "drizzle-orm";
import type { AnyPgColumn } from "drizzle-orm/pg-core";

/** Where the previous page of a newest-first list ended: its last row's creation time and id. */
export interface TimeCursor {
  createdAt: string;
  id: string;
}

/** Rows strictly after `cursor` in (createdAt desc, id desc) order; no condition for the first page. */
export function olderThan(createdAt: AnyPgColumn, id: AnyPgColumn, cursor: TimeCursor | null | undefined): SQL | undefined {
  if (!cursor) return undefined;
  const at = new Date(cursor.createdAt);
  return or(lt(createdAt, at), and(eq(createdAt, at), lt(id, cursor.id)));
}

export const newestFirst = (createdAt: AnyPgColumn, id: AnyPgColumn) => [desc(createdAt), desc(id)];

/** Cuts a `limit + 1` read to the page and the cursor of the next one (null: this was the last). */
export function pageOf<R extends { createdAt: Date; id: string }, S>(
  rows: R[],
  limit: number,
  toSnapshot: (row: R) => S,
): { items: S[]; nextCursor: TimeCursor | null } {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  const nextCursor = rows.length > limit && last ? { createdAt: last.createdAt.toISOString(), id: last.id } : null;
  return { items: page.map(toSnapshot), nextCursor };
}
