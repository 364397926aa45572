import { and, count, desc, eq, inArray, isNull, sql } from "drizzle-orm";

import type { DbOrTx } from "@spellcast/db";
import { generationSessions, users } from "@spellcast/db";

import { deadLetterWhere } from "./list-dead-letters";
import { replayCost } from "./replay-cost";
import type { BulkReplayPreview, DeadLetterFilter } from "./schema";
import { MAX_BULK_REPLAY } from "./schema";

const gs = generationSessions;

/**
 * Rows a bulk replay may take: not spell steps (replayed through their cast) and never replayed.
 * A row whose replay failed is left to a single, explicit new attempt: its failed replay is a
 * dead letter of its own and would otherwise be charged alongside it for the same work.
 */
const replayable = and(isNull(gs.castId), sql`not exists (select 1 from ${gs} as r where r.replay_of = ${gs.id})`);

/** What a bulk replay of `filter` would act on and charge, for the admin to confirm. */
export async function previewBulkReplay(db: DbOrTx, filter: DeadLetterFilter, limit = MAX_BULK_REPLAY): Promise<BulkReplayPreview> {
  const where = deadLetterWhere(filter);
  const rows = await db
    .select({ id: gs.id, userId: gs.userId, params: gs.params })
    .from(gs)
    .innerJoin(users, eq(users.id, gs.userId))
    .where(and(where, replayable))
    .orderBy(desc(gs.completedAt), desc(gs.id))
    .limit(Math.min(limit, MAX_BULK_REPLAY));
  const [total] = await db.select({ n: count() }).from(gs).innerJoin(users, eq(users.id, gs.userId)).where(where);
  return {
    ids: rows.map((r) => r.id),
    users: new Set(rows.map((r) => r.userId)).size,
    credits: rows.reduce((sum, r) => sum + replayCost(r.params), 0),
    matching: total?.n ?? 0,
  };
}

/**
 * The confirmed ids that a bulk replay still acts on: those that still match the filter and are
 * still replayable. Never more than the admin confirmed, even if new failures match meanwhile.
 */
export async function selectBulkReplayIds(db: DbOrTx, params: { filter: DeadLetterFilter; ids: string[] }): Promise<string[]> {
  if (params.ids.length === 0) return [];
  const rows = await db
    .select({ id: gs.id })
    .from(gs)
    .innerJoin(users, eq(users.id, gs.userId))
    .where(and(deadLetterWhere(params.filter), replayable, inArray(gs.id, params.ids)))
    .orderBy(desc(gs.completedAt), desc(gs.id));
  return rows.map((r) => r.id);
}
