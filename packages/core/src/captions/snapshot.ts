import { eq, sql } from "drizzle-orm";

import type { DbOrTx , captions } from "@spellcast/db";
import { captionSets } from "@spellcast/db";

import type { CastRow } from "../casts/snapshot";
import { castInputOf } from "../casts/snapshot";
import { DomainError } from "../errors";
import { appendEvent } from "../events/append-event";
import { castSnapshotSchema } from "../spells/schema";
import type { CaptionFailure, CaptionSetSnapshot, CaptionSnapshot } from "./schema";

export type CaptionSetRow = typeof captionSets.$inferSelect;
export type CaptionRow = typeof captions.$inferSelect;

export function toCaptionSetSnapshot(row: CaptionSetRow): CaptionSetSnapshot {
  return {
    id: row.id,
    datasetId: row.datasetId,
    spellId: row.spellId,
    status: row.status,
    total: row.total,
    done: row.done,
    failed: row.failed,
    budget: row.budget,
    spent: row.spent,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    completedAt: row.completedAt ? row.completedAt.toISOString() : null,
  };
}

const castErrorDetailsSchema = castSnapshotSchema.shape.errorDetails;

/** The failed cast's step, message and refund, as a failed caption's row shows them. */
export function captionFailureOf(cast: CastRow): CaptionFailure {
  const parsed = castErrorDetailsSchema.safeParse(cast.errorDetails);
  const details = parsed.success ? parsed.data : null;
  const step = details?.failedStep ?? cast.currentStep;
  return {
    step,
    tool: castInputOf(cast).steps[step]?.tool ?? null,
    message: details?.providerMessage ?? "The cast failed without error details.",
    refundedCredits: details?.refundedCredits ?? 0,
    refundPending: Boolean(details?.refundError),
  };
}

/** `failedCast`: the cast a failed caption points at (read with it); other statuses ignore it. */
export function toCaptionSnapshot(row: CaptionRow, failedCast?: CastRow): CaptionSnapshot {
  return {
    id: row.id,
    captionSetId: row.captionSetId,
    imageId: row.imageId,
    imageIndex: row.imageIndex,
    fileName: row.fileName,
    status: row.status,
    text: row.text,
    castId: row.castId,
    creditsCharged: row.creditsCharged,
    failure: row.status === "failed" && failedCast ? captionFailureOf(failedCast) : null,
    updatedAt: row.updatedAt.toISOString(),
  };
}

export async function lockCaptionSet(tx: DbOrTx, setId: string): Promise<CaptionSetRow> {
  const [row] = await tx.select().from(captionSets).where(eq(captionSets.id, setId)).for("update");
  if (!row) throw new DomainError("NOT_FOUND", "Caption set not found");
  return row;
}

/**
 * Updates the set under its row lock. `updated_at` is the wall clock at the update, not the
 * transaction's start (`now()`): a transaction that waited for the lock must still look newer
 * than the one it waited for, since readers keep the snapshot with the latest `updatedAt`.
 */
export async function updateCaptionSet(
  tx: DbOrTx,
  setId: string,
  values: Partial<typeof captionSets.$inferInsert>,
): Promise<CaptionSetRow> {
  const [row] = await tx
    .update(captionSets)
    .set({ ...values, updatedAt: sql`clock_timestamp()` })
    .where(eq(captionSets.id, setId))
    .returning();
  if (!row) throw new DomainError("NOT_FOUND", "Caption set not found");
  return row;
}

export async function emitCaptionSetEvent(tx: DbOrTx, row: CaptionSetRow): Promise<void> {
  await appendEvent(tx, {
    userId: row.userId,
    type: "caption_set_updated",
    subjectId: row.id,
    payload: { set: toCaptionSetSnapshot(row) },
  });
}

export async function emitCaptionEvent(
  tx: DbOrTx,
  userId: string,
  caption: CaptionRow,
  set: CaptionSetRow,
  failedCast?: CastRow,
): Promise<void> {
  await appendEvent(tx, {
    userId,
    type: "caption_updated",
    subjectId: caption.id,
    payload: { caption: toCaptionSnapshot(caption, failedCast), set: toCaptionSetSnapshot(set) },
  });
}
