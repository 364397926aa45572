import type { SQL } from "drizzle-orm";
import { and, eq, getTableColumns, sql } from "drizzle-orm";

import type { DbOrTx } from "@spellcast/db";
import { captionVersions, captions, generationSessions } from "@spellcast/db";

import type { CastRow } from "../casts/snapshot";
import { recordset } from "../lib/any-of";
import type { SetBook } from "./set-book";
import { isOpenSet } from "./set-book";
import type { CaptionSetRow } from "./snapshot";
import { emitCaptionEvent, emitCaptionSetEvent, updateCaptionSet } from "./snapshot";

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
  const finish = isOpenSet(set.status) && done + failed >= set.total;
  const row = await updateCaptionSet(tx, set.id, {
    done,
    failed,
    ...(finish ? { status: failed > 0 ? "completed_with_errors" : "completed", completedAt: new Date() } : {}),
  });
  return { set: row, flipped: finish };
}

/**
 * What a cast cost: the credits its completed steps captured (this transaction's included). A
 * caption adds it to what earlier casts of the image kept (a failed cast's completed steps stay
 * charged, and its re-run charges again). The status goes in a FILTER, not the WHERE: with it
 * there, the planner ANDed in the (then full) status index, reading every completed session of
 * every user for each caption.
 */
function chargedBy(castId: SQL) {
  return sql`(select coalesce(sum(${generationSessions.cost}) filter (where ${generationSessions.status} = 'completed'), 0)::int
    from ${generationSessions} where ${generationSessions.castId} = ${castId})`;
}

export interface Landing {
  cast: CastRow;
  text: string;
}

/**
 * Writes the captions of finished casts in the transaction that completed their last steps: the
 * text, cast id, credits charged and version 1, in one statement each; the counters, the events
 * and maybe the flip go through `book` (written at its flush). Only a pending caption takes a
 * text: returns the caption id per cast that landed (absent: the image was already captioned).
 */
export async function landCaptionsInTx(tx: DbOrTx, book: SetBook, landings: readonly Landing[]): Promise<Map<string, string>> {
  const keyOf = (setId: string, imageId: string) => `${setId}/${imageId}`;
  const byKey = new Map<string, Landing>();
  for (const l of landings) {
    if (l.cast.imageId && l.cast.captionSetId && book.row(l.cast.captionSetId)) byKey.set(keyOf(l.cast.captionSetId, l.cast.imageId), l);
  }
  if (byKey.size === 0) return new Map();
  const rows = [...byKey.values()].map((l) => ({ set_id: l.cast.captionSetId, image_id: l.cast.imageId, cast_id: l.cast.id, text: l.text }));
  const charged = chargedBy(sql`v.cast_id`);
  // One statement: the captions that land and their version 1 (the CTEs let Drizzle map the rows).
  const landedCte = tx.$with("landed", getTableColumns(captions)).as(sql`
    update ${captions} set status = 'done', text = v.text, cast_id = v.cast_id, credits_charged = ${captions.creditsCharged} + ${charged}, updated_at = clock_timestamp()
    from ${recordset(rows, "v", "set_id uuid, image_id uuid, cast_id uuid, text text")}
    where ${captions.captionSetId} = v.set_id and ${captions.imageId} = v.image_id and ${captions.status} = 'pending'
    returning ${captions}.*`);
  const versionsCte = tx.$with("versions", { captionId: captionVersions.captionId }).as(sql`
    insert into ${captionVersions} (caption_id, version, text)
    select id, 1, coalesce(text, '') from landed
    on conflict do nothing
    returning caption_id`);
  const landed = await tx.with(landedCte, versionsCte).select().from(landedCte);
  const out = new Map<string, string>();
  for (const caption of landed) {
    book.landed(caption.captionSetId, caption);
    if (caption.castId) out.set(caption.castId, caption.id);
  }
  return out;
}

/** Marks the cast's caption failed (its error is on the cast), keeps what its cast charged, and counts it. */
export async function failCaptionInTx(
  tx: DbOrTx,
  params: { set: CaptionSetRow; cast: CastRow },
): Promise<{ set: CaptionSetRow; flipped: boolean }> {
  const { cast } = params;
  if (!cast.imageId) return { set: params.set, flipped: false };
  const [caption] = await tx
    .update(captions)
    .set({
      status: "failed",
      castId: cast.id,
      creditsCharged: sql`${captions.creditsCharged} + ${chargedBy(sql`${cast.id}::uuid`)}`,
      updatedAt: sql`clock_timestamp()`,
    })
    .where(and(eq(captions.captionSetId, params.set.id), eq(captions.imageId, cast.imageId), eq(captions.status, "pending")))
    .returning();
  if (!caption) return { set: params.set, flipped: false };
  const counted = await countCaptionInTx(tx, params.set, { done: 0, failed: 1 });
  await emitCaptionEvent(tx, cast.userId, caption, counted.set, cast);
  if (counted.flipped) await emitCaptionSetEvent(tx, counted.set);
  return counted;
}
