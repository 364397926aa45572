import { and, eq, inArray, sql } from "drizzle-orm";

import type { DbOrTx } from "@spellcast/db";
import { captionSets, casts, datasetImages, datasets } from "@spellcast/db";
import type { Storage } from "@spellcast/storage";

import { DomainError } from "../errors";
import { anyOf } from "../lib/any-of";
import { assertDatasetId, deleteStoredFiles, lockOwnedDataset } from "./manage-datasets";
import { imageNotFound } from "./read-dataset";

/** Caption sets in these states still cast their pending images, or may again (a paused one). */
const UNFINISHED_SETS = ["in_progress", "paused"] as const;

/** Most images one removal takes (a page of the grid, at most). */
export const MAX_IMAGES_PER_REMOVAL = 500;

/**
 * Removes images from their dataset: their rows (the dataset's count goes down; their names and
 * bytes can be uploaded again) and then their files. Finished caption runs keep their captions of
 * them, text and file name, with no image behind (`imageId` null), and so do their casts. Refused,
 * with nothing changed, while a caption run on the dataset is unfinished or a cast of one of them
 * runs, or when any id is not an image of this dataset (another user's dataset is NOT_FOUND too).
 */
export async function removeDatasetImages(
  db: DbOrTx,
  storage: Storage,
  params: { userId: string; datasetId: string; imageIds: readonly string[] },
): Promise<{ removed: Array<{ id: string; fileName: string }>; fileErrors: Array<{ key: string; error: unknown }> }> {
  assertDatasetId(params.datasetId);
  const ids = [...new Set(params.imageIds)];
  if (ids.length === 0 || ids.length > MAX_IMAGES_PER_REMOVAL) {
    throw new DomainError("INVALID_INPUT", `imageIds: between 1 and ${MAX_IMAGES_PER_REMOVAL} images at once`);
  }
  for (const id of ids) assertDatasetId(id, "Image");
  const images = await db.transaction(async (tx) => {
    // The row lock waits for an upload or a run's start in flight, and holds off the next.
    const owned = await lockOwnedDataset(tx, params);
    const found = await tx
      .select({ id: datasetImages.id, fileName: datasetImages.fileName, storageKey: datasetImages.storageKey, thumbKey: datasetImages.thumbKey })
      .from(datasetImages)
      .where(and(eq(datasetImages.datasetId, owned.id), anyOf(datasetImages.id, ids)));
    if (found.length !== ids.length) throw imageNotFound();
    const [unfinished] = await tx
      .select({ id: captionSets.id })
      .from(captionSets)
      .where(and(eq(captionSets.datasetId, owned.id), inArray(captionSets.status, [...UNFINISHED_SETS])))
      .limit(1);
    if (unfinished) {
      throw new DomainError("INVALID_STATE", "A caption run on this dataset is still going or paused: let it finish or cancel it, then remove images");
    }
    const [running] = await tx
      .select({ id: casts.id })
      .from(casts)
      .where(and(anyOf(casts.imageId, ids), inArray(casts.status, ["queued", "running"])))
      .limit(1);
    if (running) throw new DomainError("INVALID_STATE", "A cast of one of these images is still running: let it finish or cancel it, then remove them");
    // Captions and casts of them keep their rows: their image_id is set null by the foreign keys.
    await tx.delete(datasetImages).where(anyOf(datasetImages.id, ids));
    await tx
      .update(datasets)
      .set({ imageCount: sql`${datasets.imageCount} - ${found.length}`, updatedAt: new Date() })
      .where(eq(datasets.id, owned.id));
    return found;
  });
  const fileErrors = await deleteStoredFiles(storage, images.flatMap((i) => [i.storageKey, i.thumbKey]));
  return { removed: images.map(({ id, fileName }) => ({ id, fileName })), fileErrors };
}
