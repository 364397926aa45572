import { and, eq, gte, lt, sql } from "drizzle-orm";

import type { Database, DbOrTx } from "@spellcast/db";
import { datasetImages, datasets } from "@spellcast/db";

import { DomainError } from "../errors";
import { assertDatasetId } from "./manage-datasets";
import { placeCountSchema } from "./schema";

/*
 * An image's place in its dataset (`image_index`) comes from the dataset's `next_image_index`,
 * so no index is handed out twice, even after the last image is removed. An uploader sending
 * several requests at once reserves the places of all its files first and names each request's
 * first place: the images then stand in the order they were chosen, whichever request commits
 * first. A file that is refused leaves its place empty.
 */

/** Reserves `count` places at the end of the dataset; its uploads then name `firstIndex + i`. */
export async function reserveImageIndexes(
  db: Database,
  params: { userId: string; datasetId: string; count: number },
): Promise<{ firstIndex: number; count: number }> {
  assertDatasetId(params.datasetId);
  const parsed = placeCountSchema.safeParse(params.count);
  if (!parsed.success) throw new DomainError("INVALID_INPUT", parsed.error.issues[0]?.message ?? parsed.error.message);
  const count = parsed.data;
  const [row] = await db
    .update(datasets)
    .set({ nextImageIndex: sql`${datasets.nextImageIndex} + ${count}` })
    .where(and(eq(datasets.id, params.datasetId), eq(datasets.userId, params.userId)))
    .returning({ next: datasets.nextImageIndex });
  if (!row) throw new DomainError("NOT_FOUND", "Dataset not found");
  return { firstIndex: row.next - count, count };
}

/** Where an upload's files go: reserved places, or the dataset's next ones in the order they are added. */
export interface ImagePlaces {
  /** The place of the file at `position` in the upload, or null when another image holds it. */
  take(position: number): number | null;
  /** The dataset's `next_image_index` once the upload is in. */
  readonly next: number;
}

/**
 * Under the dataset's row lock: the places of an upload of `files` files. With `firstIndex` (a
 * whole number, checked by the caller before any work), the file at position i takes
 * `firstIndex + i`, which must lie in places reserved before.
 */
export async function imagePlaces(
  tx: DbOrTx,
  dataset: { id: string; nextImageIndex: number },
  upload: { files: number; firstIndex?: number },
): Promise<ImagePlaces> {
  const { firstIndex } = upload;
  if (firstIndex === undefined) {
    let next = dataset.nextImageIndex;
    return {
      take: () => next++,
      get next() {
        return next;
      },
    };
  }
  const end = firstIndex + upload.files;
  if (end > dataset.nextImageIndex) {
    throw new DomainError("INVALID_INPUT", `firstIndex: places ${firstIndex}–${end - 1} were not reserved for this dataset (reserve them with datasets.reserveImageIndexes)`);
  }
  // Another upload naming the same places (a retried request, say) got there first.
  const held = await tx
    .select({ imageIndex: datasetImages.imageIndex })
    .from(datasetImages)
    .where(and(eq(datasetImages.datasetId, dataset.id), gte(datasetImages.imageIndex, firstIndex), lt(datasetImages.imageIndex, end)));
  const taken = new Set(held.map((h) => h.imageIndex));
  return {
    take: (position) => (taken.has(firstIndex + position) ? null : firstIndex + position),
    next: dataset.nextImageIndex,
  };
}

export function assertFirstIndex(firstIndex: number): void {
  if (!Number.isInteger(firstIndex) || firstIndex < 0) throw new DomainError("INVALID_INPUT", "firstIndex: a whole number, 0 or more");
}
