import { and, asc, eq, gt } from "drizzle-orm";

import type { DbOrTx } from "@spellcast/db";
import { datasetImages, datasets } from "@spellcast/db";
import type { Storage } from "@spellcast/storage";

import { DomainError } from "../errors";
import { assertDatasetId, getDatasetSummary } from "./manage-datasets";
import type { DatasetImage, DatasetSummary, ImageVariant } from "./schema";
import { THUMB_CONTENT_TYPE } from "./thumbnail";

export const imageColumns = {
  id: datasetImages.id,
  datasetId: datasetImages.datasetId,
  imageIndex: datasetImages.imageIndex,
  fileName: datasetImages.fileName,
  contentType: datasetImages.contentType,
  bytes: datasetImages.bytes,
  width: datasetImages.width,
  height: datasetImages.height,
  sha256: datasetImages.sha256,
  createdAt: datasetImages.createdAt,
};

/**
 * The dataset and one page of its images in their stable order. The cursor is the last
 * `imageIndex` seen; `nextCursor` is null on the last page.
 */
export async function getDataset(
  db: DbOrTx,
  params: { userId: string; datasetId: string; cursor?: number | null; limit: number },
): Promise<{ dataset: DatasetSummary; images: DatasetImage[]; nextCursor: number | null }> {
  const dataset = await getDatasetSummary(db, params);
  const rows = await db
    .select(imageColumns)
    .from(datasetImages)
    .where(
      and(
        eq(datasetImages.datasetId, dataset.id),
        params.cursor == null ? undefined : gt(datasetImages.imageIndex, params.cursor),
      ),
    )
    .orderBy(asc(datasetImages.imageIndex))
    .limit(params.limit + 1);
  const images = rows.slice(0, params.limit);
  const last = images.at(-1);
  return { dataset, images, nextCursor: rows.length > params.limit && last ? last.imageIndex : null };
}

/** The bytes of an image or its thumbnail, for its owner only (NOT_FOUND for everyone else). */
export async function getImageFile(
  db: DbOrTx,
  storage: Storage,
  params: { userId: string; datasetId: string; imageId: string; variant: ImageVariant },
): Promise<{ bytes: Uint8Array; contentType: string; fileName: string }> {
  assertDatasetId(params.datasetId);
  assertDatasetId(params.imageId, "Image");
  const [row] = await db
    .select({
      fileName: datasetImages.fileName,
      contentType: datasetImages.contentType,
      storageKey: datasetImages.storageKey,
      thumbKey: datasetImages.thumbKey,
    })
    .from(datasetImages)
    .innerJoin(datasets, eq(datasets.id, datasetImages.datasetId))
    .where(
      and(
        eq(datasetImages.id, params.imageId),
        eq(datasetImages.datasetId, params.datasetId),
        eq(datasets.userId, params.userId),
      ),
    );
  if (!row) throw new DomainError("NOT_FOUND", "Image not found");
  const thumb = params.variant === "thumb";
  const bytes = await storage.get(thumb ? row.thumbKey : row.storageKey);
  if (!bytes) throw new DomainError("NOT_FOUND", "The image file is missing from storage");
  return { bytes, contentType: thumb ? THUMB_CONTENT_TYPE : row.contentType, fileName: row.fileName };
}
