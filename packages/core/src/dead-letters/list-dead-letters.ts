import type { SQL } from "drizzle-orm";
import { and, asc, desc, eq, gte, ilike, inArray, isNull, lte, sql } from "drizzle-orm";

import type { DbOrTx } from "@spellcast/db";
import { generationSessions, users } from "@spellcast/db";

import { DomainError } from "../errors";
import { olderThan } from "../lib/keyset";
import { parseDomainInput } from "../parse-input";
import { errorDetailsSchema } from "../sessions/error-details";
import { replayCost } from "./replay-cost";
import type { DeadLetterCursor, DeadLetterFilter, DeadLetterItem } from "./schema";
import { deadLetterFilterSchema } from "./schema";

const gs = generationSessions;
const providerStatus = sql`(${gs.errorDetails}->>'providerStatus')::int`;
const providerMessage = sql<string>`${gs.errorDetails}->>'providerMessage'`;
/** Escapes LIKE wildcards so a search for "50%" means the text "50%". */
const likeContains = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** Where clause of the dead-letter list: failed, not discarded, plus the filters. */
export function deadLetterWhere(filter: DeadLetterFilter): SQL {
  const f = parseDomainInput(deadLetterFilterSchema, filter);
  const conditions: (SQL | undefined)[] = [eq(gs.status, "failed"), isNull(gs.discardedAt)];
  if (f.email) conditions.push(ilike(users.email, likeContains(f.email)));
  if (f.tool) conditions.push(eq(gs.tool, f.tool));
  if (f.providerStatus === null) conditions.push(sql`${gs.errorDetails}->>'providerStatus' is null`);
  else if (f.providerStatus !== undefined) conditions.push(sql`${providerStatus} = ${f.providerStatus}`);
  if (f.text) conditions.push(ilike(providerMessage, likeContains(f.text)));
  if (f.from) conditions.push(gte(gs.completedAt, new Date(f.from)));
  if (f.to) conditions.push(lte(gs.completedAt, new Date(f.to)));
  const where = and(...conditions);
  if (!where) throw new DomainError("INVALID_INPUT", "empty filter");
  return where;
}

type Row = { session: typeof gs.$inferSelect; email: string };

async function withReplays(db: DbOrTx, rows: Row[]): Promise<DeadLetterItem[]> {
  const ids = rows.map((r) => r.session.id);
  const replays =
    ids.length === 0
      ? []
      : await db
          .select({ id: gs.id, replayOf: gs.replayOf, status: gs.status, createdAt: gs.createdAt })
          .from(gs)
          .where(inArray(gs.replayOf, ids))
          .orderBy(asc(gs.createdAt));
  return rows.map(({ session, email }) => {
    const details = errorDetailsSchema.parse(session.errorDetails);
    return {
      id: session.id,
      userId: session.userId,
      userEmail: email,
      tool: session.tool,
      prompt: typeof session.params.prompt === "string" ? session.params.prompt : "",
      params: session.params,
      cost: session.cost,
      replayCost: replayCost(session.params),
      errorDetails: details,
      failedAt: (session.completedAt ?? session.updatedAt).toISOString(),
      createdAt: session.createdAt.toISOString(),
      replayOf: session.replayOf,
      castId: session.castId,
      replays: replays
        .filter((r) => r.replayOf === session.id)
        .map((r) => ({ id: r.id, status: r.status, createdAt: r.createdAt.toISOString() })),
    };
  });
}

/** Dead letters, newest failure first, keyset-paginated on (failed at, id). */
export async function listDeadLetters(
  db: DbOrTx,
  params: { filter: DeadLetterFilter; limit: number; cursor?: DeadLetterCursor | null },
): Promise<{ items: DeadLetterItem[]; nextCursor: DeadLetterCursor | null }> {
  const { cursor } = params;
  const after = olderThan(gs.completedAt, gs.id, cursor && { createdAt: cursor.failedAt, id: cursor.id });
  const rows = await db
    .select({ session: gs, email: users.email })
    .from(gs)
    .innerJoin(users, eq(users.id, gs.userId))
    .where(and(deadLetterWhere(params.filter), after))
    .orderBy(desc(gs.completedAt), desc(gs.id))
    .limit(params.limit + 1);
  const page = rows.slice(0, params.limit);
  const last = page.at(-1);
  const nextCursor =
    rows.length > params.limit && last?.session.completedAt
      ? { failedAt: last.session.completedAt.toISOString(), id: last.session.id }
      : null;
  return { items: await withReplays(db, page), nextCursor };
}

/** One dead letter (also a discarded one, for its history), with its replays; NOT_FOUND otherwise. */
export async function getDeadLetter(db: DbOrTx, sessionId: string): Promise<DeadLetterItem & { discardedAt: string | null }> {
  const [row] = await db
    .select({ session: gs, email: users.email })
    .from(gs)
    .innerJoin(users, eq(users.id, gs.userId))
    .where(and(eq(gs.id, sessionId), eq(gs.status, "failed")));
  if (!row) throw new DomainError("NOT_FOUND", "Dead letter not found");
  const [item] = await withReplays(db, [row]);
  if (!item) throw new DomainError("NOT_FOUND", "Dead letter not found");
  return { ...item, discardedAt: row.session.discardedAt?.toISOString() ?? null };
}
