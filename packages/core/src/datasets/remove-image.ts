import { and, eq, inArray, sql } from "drizzle-orm";

import type { DbOrTx } from "@spellcast/db";
import { captionSets, casts, datasetImages, datasets } from "@spellcast/db";
import type { Storage } from "@spellcast/storage";

import { DomainError } from "../errors";
import { assertDatasetId, deleteStoredFiles } from "./manage-datasets";
import { imageNotFound } from "./read-dataset";

/** Caption sets in these states still cast their pending images, or may again (a paused one). */
const UNFINISHED_SETS = ["in_progress", "paused"] as const;

/**
 * Takes the dataset's row for a run that reads its images (a start, a resume, a re-run of failed
 * captions) until the caller commits: an image removal waits for it, and it for a removal, so a
 * run never holds a pending caption whose image is gone.
 */
export async function shareDatasetForRun(tx: DbOrTx, datasetId: string): Promise<void> {
  await tx.execute(sql`select 1 from ${datasets} where ${datasets.id} = ${datasetId} for share`);
}

/**
 * Removes one image from its dataset: its row (the dataset's count goes down one; its name and
 * bytes can be uploaded again) and then its files. Finished caption runs keep their caption of
 * it, text and file name, with no image behind it (`imageId` null), and so do its casts. Refused
 * while a caption run on the dataset is unfinished or a cast of the image is running: nothing
 * changes. Another user's dataset or image is NOT_FOUND.
 */
export async function removeDatasetImage(
  db: DbOrTx,
  storage: Storage,
  params: { userId: string; datasetId: string; imageId: string },
): Promise<{ id: string; fileName: string; fileErrors: Array<{ key: string; error: unknown }> }> {
  assertDatasetId(params.datasetId);
  assertDatasetId(params.imageId, "Image");
  const removed = await db.transaction(async (tx) => {
    // The row lock waits for an upload or a run's start in flight, and holds off the next.
    const [owned] = await tx
      .select({ id: datasets.id })
      .from(datasets)
      .where(and(eq(datasets.id, params.datasetId), eq(datasets.userId, params.userId)))
      .for("update");
    if (!owned) throw new DomainError("NOT_FOUND", "Dataset not found");
    const [image] = await tx
      .select({ id: datasetImages.id, fileName: datasetImages.fileName, storageKey: datasetImages.storageKey, thumbKey: datasetImages.thumbKey })
      .from(datasetImages)
      .where(and(eq(datasetImages.id, params.imageId), eq(datasetImages.datasetId, owned.id)));
    if (!image) throw imageNotFound();
    const [unfinished] = await tx
      .select({ id: captionSets.id })
      .from(captionSets)
      .where(and(eq(captionSets.datasetId, owned.id), inArray(captionSets.status, [...UNFINISHED_SETS])))
      .limit(1);
    if (unfinished) {
      throw new DomainError("INVALID_STATE", "A caption run on this dataset is still going or paused: let it finish or cancel it, then remove the image");
    }
    const [running] = await tx
      .select({ id: casts.id })
      .from(casts)
      .where(and(eq(casts.imageId, image.id), inArray(casts.status, ["queued", "running"])))
      .limit(1);
    if (running) throw new DomainError("INVALID_STATE", "A cast of this image is still running: let it finish or cancel it, then remove the image");
    // Captions and casts of it keep their rows: their image_id is set null by the foreign keys.
    await tx.delete(datasetImages).where(eq(datasetImages.id, image.id));
    await tx
      .update(datasets)
      .set({ imageCount: sql`${datasets.imageCount} - 1`, updatedAt: new Date() })
      .where(eq(datasets.id, owned.id));
    return image;
  });
  const fileErrors = await deleteStoredFiles(storage, [removed.storageKey, removed.thumbKey]);
  return { id: removed.id, fileName: removed.fileName, fileErrors };
}
