import { and, asc, desc, eq } from "drizzle-orm";

import type { DbOrTx } from "@spellcast/db";
import { captionSets, captions, casts } from "@spellcast/db";

import { getDatasetSummary } from "../datasets/manage-datasets";
import { DomainError } from "../errors";
import { anyOf } from "../lib/any-of";
import { assertUuid } from "../spells/manage-spells";
import type { CaptionSetSnapshot, CaptionSnapshot } from "./schema";
import { toCaptionSetSnapshot, toCaptionSnapshot } from "./snapshot";

/** The set and every caption row in image order (datasets hold at most a few thousand images). */
export async function getCaptionSet(
  db: DbOrTx,
  params: { userId: string; setId: string },
): Promise<{ set: CaptionSetSnapshot; captions: CaptionSnapshot[] }> {
  assertUuid(params.setId, "Caption set");
  const [set] = await db.select().from(captionSets).where(and(eq(captionSets.id, params.setId), eq(captionSets.userId, params.userId)));
  if (!set) throw new DomainError("NOT_FOUND", "Caption set not found");
  const rows = await db.select().from(captions).where(eq(captions.captionSetId, set.id)).orderBy(asc(captions.imageIndex));
  // A failed caption's row says why: its cast's error details (few rows; none in a clean run).
  const failedCastIds = rows.flatMap((r) => (r.status === "failed" && r.castId ? [r.castId] : []));
  const failedCasts = failedCastIds.length > 0 ? await db.select().from(casts).where(anyOf(casts.id, failedCastIds)) : [];
  const castById = new Map(failedCasts.map((c) => [c.id, c]));
  return {
    set: toCaptionSetSnapshot(set),
    captions: rows.map((r) => toCaptionSnapshot(r, r.castId ? castById.get(r.castId) : undefined)),
  };
}

/** The dataset's runs, newest first. */
export async function listCaptionSets(db: DbOrTx, params: { userId: string; datasetId: string }): Promise<CaptionSetSnapshot[]> {
  const dataset = await getDatasetSummary(db, params);
  const rows = await db
    .select()
    .from(captionSets)
    .where(and(eq(captionSets.datasetId, dataset.id), eq(captionSets.userId, params.userId)))
    .orderBy(desc(captionSets.createdAt));
  return rows.map(toCaptionSetSnapshot);
}
