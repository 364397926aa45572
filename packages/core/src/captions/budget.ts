import { and, eq, inArray, sql } from "drizzle-orm";

import type { DbOrTx } from "@spellcast/db";
import { casts, generationSessions } from "@spellcast/db";

import type { CaptionSetRow } from "./snapshot";

/** Credits on hold for the set's open steps (queued or running sessions of its casts). */
export async function heldForSet(tx: DbOrTx, setId: string): Promise<number> {
  const [row] = await tx
    .select({ held: sql<string>`coalesce(sum(${generationSessions.cost}), 0)` })
    .from(generationSessions)
    .innerJoin(casts, eq(casts.id, generationSessions.castId))
    .where(and(eq(casts.captionSetId, setId), inArray(generationSessions.status, ["queued", "running"])));
  return Number(row?.held ?? 0);
}

/**
 * Whether the set may start a step costing `cost` now: spent + held + cost must stay within the
 * budget. Call under the set's row lock (the account lock first). `extraHeld` counts holds this
 * transaction already took but the caller has not committed yet (they are visible to it anyway).
 */
export async function fitsBudget(tx: DbOrTx, set: CaptionSetRow, cost: number): Promise<boolean> {
  if (set.budget === null || cost === 0) return true;
  const held = await heldForSet(tx, set.id);
  return set.spent + held + cost <= set.budget;
}
