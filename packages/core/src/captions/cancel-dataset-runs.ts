import { and, eq, inArray, isNull } from "drizzle-orm";

import type { Database } from "@spellcast/db";
import { captionSets, casts } from "@spellcast/db";

import { cancelCast } from "../casts/cancel-cast";
import { getDatasetSummary } from "../datasets/manage-datasets";
import { isDomainError } from "../errors";
import type { CanceledStep } from "../sessions/cancel-session";
import { cancelCaptionSet } from "./cancel-run";

/**
 * Before a dataset goes: every run still open on it ends canceled, each open step's hold released —
 * its caption runs (in progress or paused) and the single casts on its images. Deleting the rows
 * would otherwise leave those steps holding credits, their jobs working for casts that no longer
 * exist. Returns the steps it canceled, whose jobs the caller removes or aborts.
 */
export async function cancelDatasetRuns(db: Database, params: { userId: string; datasetId: string }): Promise<CanceledStep[]> {
  const dataset = await getDatasetSummary(db, params);
  const canceled: CanceledStep[] = [];
  const openSets = await db
    .select({ id: captionSets.id })
    .from(captionSets)
    .where(and(eq(captionSets.datasetId, dataset.id), eq(captionSets.userId, params.userId), inArray(captionSets.status, ["in_progress", "paused"])));
  for (const { id } of openSets) {
    try {
      canceled.push(...(await cancelCaptionSet(db, { userId: params.userId, setId: id })).canceled);
    } catch (err) {
      // It ended on its own meanwhile.
      if (!isDomainError(err) || err.code !== "INVALID_STATE") throw err;
    }
  }
  const singleCasts = await db
    .select({ id: casts.id })
    .from(casts)
    .where(and(eq(casts.datasetId, dataset.id), eq(casts.userId, params.userId), isNull(casts.captionSetId), inArray(casts.status, ["queued", "running"])));
  for (const { id } of singleCasts) canceled.push(...(await cancelCast(db, { userId: params.userId, castId: id })).canceled);
  return canceled;
}
