import { and, asc, eq, gt } from "drizzle-orm";

import type { DbOrTx } from "@spellcast/db";
import { datasetImages, datasets } from "@spellcast/db";
import type { Storage } from "@spellcast/storage";

import { DomainError } from "../errors";
import { anyOf } from "../lib/any-of";
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

export interface ImageRef {
  userId: string;
  datasetId: string;
  imageId: string;
}

/** Where an image's original and thumbnail are stored. */
export interface StoredImage {
  fileName: string;
  contentType: string;
  storageKey: string;
  thumbKey: string;
}

export interface ImageFile {
  bytes: Uint8Array;
  contentType: string;
  fileName: string;
}

/**
 * The stored files of many images in one statement, one result per ref in order: undefined
 * where the image is not in that dataset or the dataset is not that user's.
 */
export async function findStoredImages(db: DbOrTx, refs: readonly ImageRef[]): Promise<(StoredImage | undefined)[]> {
  for (const ref of refs) {
    assertDatasetId(ref.datasetId);
    assertDatasetId(ref.imageId, "Image");
  }
  const rows = await db
    .select({
      id: datasetImages.id,
      datasetId: datasetImages.datasetId,
      userId: datasets.userId,
      fileName: datasetImages.fileName,
      contentType: datasetImages.contentType,
      storageKey: datasetImages.storageKey,
      thumbKey: datasetImages.thumbKey,
    })
    .from(datasetImages)
    .innerJoin(datasets, eq(datasets.id, datasetImages.datasetId))
    .where(anyOf(datasetImages.id, refs.map((r) => r.imageId)));
  const byId = new Map(rows.map((r) => [r.id, r]));
  return refs.map((ref) => {
    const row = byId.get(ref.imageId);
    if (!row || row.datasetId !== ref.datasetId || row.userId !== ref.userId) return undefined;
    return { fileName: row.fileName, contentType: row.contentType, storageKey: row.storageKey, thumbKey: row.thumbKey };
  });
}

/** The bytes of a stored image or of its thumbnail. */
export async function readImageFile(storage: Storage, image: StoredImage, variant: ImageVariant): Promise<ImageFile> {
  const thumb = variant === "thumb";
  const bytes = await storage.get(thumb ? image.thumbKey : image.storageKey);
  if (!bytes) throw new DomainError("NOT_FOUND", "The image file is missing from storage");
  return { bytes, contentType: thumb ? THUMB_CONTENT_TYPE : image.contentType, fileName: image.fileName };
}

export const imageNotFound = () => new DomainError("NOT_FOUND", "Image not found");

/** The bytes of an image or its thumbnail, for its owner only (NOT_FOUND for everyone else). */
export async function getImageFile(
  db: DbOrTx,
  storage: Storage,
  params: ImageRef & { variant: ImageVariant },
): Promise<ImageFile> {
  const [image] = await findStoredImages(db, [params]);
  if (!image) throw imageNotFound();
  return readImageFile(storage, image, params.variant);
}
