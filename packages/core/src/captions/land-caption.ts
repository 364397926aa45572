import { and, eq, sql } from "drizzle-orm";

import type { DbOrTx } from "@spellcast/db";
import { captionVersions, captions, generationSessions } from "@spellcast/db";

import type { CastRow } from "../casts/snapshot";
import type { CaptionSetRow } from "./snapshot";
import { emitCaptionEvent, emitCaptionSetEvent, updateCaptionSet } from "./snapshot";

const isOpen = (status: CaptionSetRow["status"]) => status === "in_progress" || status === "paused";

/**
 * Moves the set's counters and, when done + failed reaches total, flips it to `completed` (or
 * `completed_with_errors`) — under the set's row lock, so exactly one transaction sees the last
 * count and flips it; the set event is written only by that one.
 */
export async function countCaptionInTx(
  tx: DbOrTx,
  set: CaptionSetRow,
  delta: { done: number; failed: number },
): Promise<{ set: CaptionSetRow; flipped: boolean }> {
  const done = set.done + delta.done;
  const failed = set.failed + delta.failed;
  const finish = isOpen(set.status) && done + failed >= set.total;
  const row = await updateCaptionSet(tx, set.id, {
    done,
    failed,
    ...(finish ? { status: failed > 0 ? "completed_with_errors" : "completed", completedAt: new Date() } : {}),
  });
  return { set: row, flipped: finish };
}

/** Credits captured by a cast's completed steps: what its caption cost. */
export async function castCharges(tx: DbOrTx, castId: string): Promise<number> {
  const [row] = await tx
    .select({ sum: sql<string>`coalesce(sum(${generationSessions.cost}), 0)` })
    .from(generationSessions)
    .where(and(eq(generationSessions.castId, castId), eq(generationSessions.status, "completed")));
  return Number(row?.sum ?? 0);
}

/**
 * Writes the caption of a finished cast in the transaction that completed its last step: the
 * text, cast id, credits charged, version 1, the counters (maybe the flip) and the events.
 * Returns whether a pending caption took the text (false: the image was already captioned).
 */
export async function landCaptionInTx(
  tx: DbOrTx,
  params: { set: CaptionSetRow; cast: CastRow; text: string },
): Promise<{ captionId: string | null; landed: boolean; set: CaptionSetRow; flipped: boolean }> {
  const { cast } = params;
  if (!cast.imageId) return { captionId: null, landed: false, set: params.set, flipped: false };
  const charged = await castCharges(tx, cast.id);
  const [caption] = await tx
    .update(captions)
    .set({ status: "done", text: params.text, castId: cast.id, creditsCharged: charged, updatedAt: sql`clock_timestamp()` })
    .where(and(eq(captions.captionSetId, params.set.id), eq(captions.imageId, cast.imageId), eq(captions.status, "pending")))
    .returning();
  if (!caption) return { captionId: null, landed: false, set: params.set, flipped: false };
  await tx.insert(captionVersions).values({ captionId: caption.id, version: 1, text: params.text, editedBy: null }).onConflictDoNothing();
  const counted = await countCaptionInTx(tx, params.set, { done: 1, failed: 0 });
  await emitCaptionEvent(tx, cast.userId, caption, counted.set);
  if (counted.flipped) await emitCaptionSetEvent(tx, counted.set);
  return { captionId: caption.id, landed: true, set: counted.set, flipped: counted.flipped };
}

/** Marks the cast's caption failed (its error is on the cast) and counts it. */
export async function failCaptionInTx(
  tx: DbOrTx,
  params: { set: CaptionSetRow; cast: CastRow },
): Promise<{ set: CaptionSetRow; flipped: boolean }> {
  const { cast } = params;
  if (!cast.imageId) return { set: params.set, flipped: false };
  const [caption] = await tx
    .update(captions)
    .set({ status: "failed", castId: cast.id, updatedAt: sql`clock_timestamp()` })
    .where(and(eq(captions.captionSetId, params.set.id), eq(captions.imageId, cast.imageId), eq(captions.status, "pending")))
    .returning();
  if (!caption) return { set: params.set, flipped: false };
  const counted = await countCaptionInTx(tx, params.set, { done: 0, failed: 1 });
  await emitCaptionEvent(tx, cast.userId, caption, counted.set);
  if (counted.flipped) await emitCaptionSetEvent(tx, counted.set);
  return counted;
}
