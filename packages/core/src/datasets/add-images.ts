import { createHash, randomUUID } from "node:crypto";

import { and, eq, sql } from "drizzle-orm";

import type { DbOrTx } from "@spellcast/db";
import { datasetImages, datasets } from "@spellcast/db";
import type { Storage } from "@spellcast/storage";

import { DomainError } from "../errors";
import { anyOf } from "../lib/any-of";
import { displayFileName, fileStem, sanitizeFileName, uniqueFileName } from "./file-name";
import type { ImageInfo } from "./image-probe";
import { probeImage } from "./image-probe";
import { assertFirstIndex, imagePlaces } from "./image-places";
import { assertDatasetId } from "./manage-datasets";
import { imageColumns } from "./read-dataset";
import type { DatasetImage, DatasetLimits, UploadRejection, UploadResult } from "./schema";
import { DEFAULT_DATASET_LIMITS, formatBytes } from "./schema";
import { makeThumbnail, THUMB_CONTENT_TYPE } from "./thumbnail";

export interface UploadFile {
  /** The name the uploader gave (may carry folders; they are dropped, `..` is refused). */
  name: string;
  bytes: Uint8Array;
}

interface ValidFile extends ImageInfo {
  /** Its position in the upload (its reserved place is `firstIndex + position`). */
  position: number;
  rawName: string;
  safeName: string;
  bytes: Uint8Array;
  thumb: Uint8Array;
  sha256: string;
}

/** A file whose bytes repeat an earlier valid file of the same upload. */
interface Repeat {
  name: string;
  first: ValidFile;
}

type Checked = { ok: true; file: ValidFile } | { ok: false; rejection: UploadRejection } | { ok: false; repeat: Repeat };

const reject = (name: string, reason: string): Checked => ({ ok: false, rejection: { name: displayFileName(name), reason } });

const inDatasetReason = (fileName: string) => `the same image is already in this dataset as "${fileName}"`;
const takenPlaceReason = "another image already holds its reserved place in the dataset; reserve new places and send it again";
const inUploadReason = (first: ValidFile) => `the same image is already in this upload as "${displayFileName(first.rawName)}"`;

/**
 * Name, size, bytes repeating an earlier valid file of this upload (no decode for those), then
 * content (magic bytes, header, full decode into the thumbnail). Stores nothing.
 */
async function checkFile(file: UploadFile, position: number, limits: DatasetLimits, earlier: ReadonlyMap<string, ValidFile>): Promise<Checked> {
  const name = sanitizeFileName(file.name);
  if (!name.ok) return reject(file.name, name.reason);
  const size = file.bytes.byteLength;
  if (size === 0) return reject(file.name, "empty file (0 bytes)");
  if (size > limits.maxUploadBytes) {
    return reject(file.name, `file is ${formatBytes(size)}; the limit is ${formatBytes(limits.maxUploadBytes)} per image`);
  }
  const sha256 = createHash("sha256").update(file.bytes).digest("hex");
  const first = earlier.get(sha256);
  if (first) return { ok: false, repeat: { name: displayFileName(file.name), first } };
  const probe = await probeImage(file.bytes);
  if (!probe.ok) return reject(file.name, probe.reason);
  const thumb = await makeThumbnail(file.bytes, probe.format);
  if (!thumb.ok) return reject(file.name, thumb.reason);
  const { format, contentType, width, height } = probe;
  return {
    ok: true,
    file: { position, rawName: file.name, safeName: name.name, bytes: file.bytes, thumb: thumb.bytes, sha256, format, contentType, width, height },
  };
}

/**
 * Validates every file (a repeat of an earlier file of the upload is rejected) and stores the valid
 * ones' originals and thumbnails, then (holding the dataset's row lock, so concurrent uploads and
 * deletes serialise) rejects bytes the dataset already holds, applies the count limit and name
 * de-duplication, inserts the rows and bumps `image_count`; the files of images refused there are
 * deleted after the commit. Files go to storage only after validation; if anything after the first
 * write fails, every file written by this call is deleted and the error rethrown.
 */
export async function addImagesToDataset(
  db: DbOrTx,
  storage: Storage,
  params: {
    userId: string;
    datasetId: string;
    files: UploadFile[];
    limits?: Partial<DatasetLimits>;
    /** The reserved place of the first file (`reserveImageIndexes`); the others follow it in order. */
    firstIndex?: number;
  },
): Promise<UploadResult> {
  const limits: DatasetLimits = { ...DEFAULT_DATASET_LIMITS, ...params.limits };
  assertDatasetId(params.datasetId);
  if (params.firstIndex !== undefined) assertFirstIndex(params.firstIndex);
  const owned = and(eq(datasets.id, params.datasetId), eq(datasets.userId, params.userId));
  // Refuse before decoding anything when the dataset isn't the caller's.
  const [exists] = await db.select({ imageCount: datasets.imageCount }).from(datasets).where(owned);
  if (!exists) throw new DomainError("NOT_FOUND", "Dataset not found");
  const fullReason = `the dataset is full: it holds at most ${limits.maxImages} images`;
  if (exists.imageCount >= limits.maxImages) {
    return { added: [], rejected: params.files.map((f) => ({ name: displayFileName(f.name), reason: fullReason })) };
  }

  const rejected: UploadRejection[] = [];
  // Valid files by sha256, in upload order: the first of identical files wins.
  const valid = new Map<string, ValidFile>();
  const repeats: Repeat[] = [];
  // One at a time: decoding is CPU- and memory-heavy, and sharp already uses every core per image.
  for (const [position, file] of params.files.entries()) {
    const checked = await checkFile(file, position, limits, valid);
    if (checked.ok) valid.set(checked.file.sha256, checked.file);
    else if ("repeat" in checked) repeats.push(checked.repeat);
    else rejected.push(checked.rejection);
  }
  if (valid.size === 0) return { added: [], rejected };

  const written: string[] = [];
  try {
    // Stored before the dataset's lock is taken, so concurrent uploads into one dataset (the page
    // sends three requests at once) wait for each other's statements only, not for their writes.
    const files = [...valid.values()].map((file) => ({ ...file, ...storageKeysOf(params.datasetId, file) }));
    written.push(...files.flatMap((f) => [f.storageKey, f.thumbKey]));
    // Every write settles before any is cleaned up, so none lands after its delete.
    const writes = await Promise.allSettled(
      files.flatMap((f) => [storage.put(f.storageKey, f.bytes, f.contentType), storage.put(f.thumbKey, f.thumb, THUMB_CONTENT_TYPE)]),
    );
    const failedWrite = writes.find((w) => w.status === "rejected");
    if (failedWrite) throw failedWrite.reason;
    const unused: string[] = [];
    const added = await db.transaction(async (tx) => {
      const [dataset] = await tx
        .select({ id: datasets.id, imageCount: datasets.imageCount, nextImageIndex: datasets.nextImageIndex })
        .from(datasets)
        .where(owned)
        .for("update");
      if (!dataset) throw new DomainError("NOT_FOUND", "Dataset not found");
      const places = await imagePlaces(tx, dataset, { files: params.files.length, firstIndex: params.firstIndex });
      // Only the names these files could collide with (those starting with one of their stems, in
      // any case), not all of a 5,000-image dataset's at every upload under its lock.
      const stems = [...new Set([...valid.values()].map((f) => escapeLike(fileStem(f.safeName)) + "%"))];
      const names = await tx
        .select({ fileName: datasetImages.fileName })
        .from(datasetImages)
        .where(and(eq(datasetImages.datasetId, params.datasetId), sql`${datasetImages.fileName} ilike any(${sql.param(stems)}::text[])`));
      const taken = new Set(names.map((n) => n.fileName.toLowerCase()));
      // Under the lock, so a concurrent upload of the same bytes has either committed (and is seen
      // here) or waits for this one. The (dataset_id, sha256) index is not unique; see the schema.
      const present = await tx
        .select(imageColumns)
        .from(datasetImages)
        .where(and(eq(datasetImages.datasetId, params.datasetId), anyOf(datasetImages.sha256, valid.keys())))
        .orderBy(datasetImages.imageIndex);
      const holding = new Map<string, string>();
      for (const p of present) if (!holding.has(p.sha256)) holding.set(p.sha256, p.fileName);
      const landed = landedBefore(present, params.firstIndex);
      const room = Math.max(0, limits.maxImages - dataset.imageCount);

      const rows: (typeof datasetImages.$inferInsert)[] = [];
      // Files of this upload already in their places (it was sent before): reported as added.
      const again: DatasetImage[] = [];
      for (const file of files) {
        const refuse = (reason: string) => {
          rejected.push({ name: displayFileName(file.rawName), reason });
          unused.push(file.storageKey, file.thumbKey);
        };
        // This request sent again (its answer was lost): the file already holds its own place.
        const replayed = landed.get(`${file.sha256}@${file.position}`);
        if (replayed) {
          again.push(replayed);
          unused.push(file.storageKey, file.thumbKey);
          continue;
        }
        const existing = holding.get(file.sha256);
        // Before the count limit: a duplicate takes no room.
        if (existing !== undefined) {
          refuse(inDatasetReason(existing));
          continue;
        }
        if (rows.length >= room) {
          refuse(fullReason);
          continue;
        }
        const imageIndex = places.take(file.position);
        if (imageIndex === null) {
          refuse(takenPlaceReason);
          continue;
        }
        const fileName = uniqueFileName(file.safeName, taken);
        taken.add(fileName.toLowerCase());
        rows.push({
          id: file.id,
          datasetId: params.datasetId,
          userId: params.userId,
          imageIndex,
          fileName,
          storageKey: file.storageKey,
          thumbKey: file.thumbKey,
          contentType: file.contentType,
          bytes: file.bytes.byteLength,
          width: file.width,
          height: file.height,
          sha256: file.sha256,
        });
      }
      // A repeat names the dataset's image when its first copy was already there, else that copy.
      for (const { name, first } of repeats) {
        const existing = holding.get(first.sha256);
        rejected.push({ name, reason: existing === undefined ? inUploadReason(first) : inDatasetReason(existing) });
      }
      if (rows.length === 0) return again;
      const inserted = await tx.insert(datasetImages).values(rows).returning(imageColumns);
      await tx
        .update(datasets)
        .set({ imageCount: sql`${datasets.imageCount} + ${rows.length}`, nextImageIndex: places.next, updatedAt: new Date() })
        .where(eq(datasets.id, params.datasetId));
      return [...inserted, ...again].sort((a, b) => a.imageIndex - b.imageIndex);
    });
    // The files of images refused under the lock (rare: a concurrent upload of the same bytes, a full dataset).
    await Promise.allSettled(unused.map((key) => storage.delete(key)));
    return { added, rejected };
  } catch (err) {
    await Promise.allSettled(written.map((key) => storage.delete(key)));
    throw err;
  }
}

/**
 * The images of `present` that hold, with the same bytes, the reserved place a file of this upload
 * would take (by `sha256@position`): an upload sent again whose first answer never arrived (a
 * dropped connection after the commit) reports them as added rather than as already there.
 */
function landedBefore(present: readonly DatasetImage[], firstIndex: number | undefined): Map<string, DatasetImage> {
  const landed = new Map<string, DatasetImage>();
  if (firstIndex === undefined) return landed;
  for (const image of present) landed.set(`${image.sha256}@${image.imageIndex - firstIndex}`, image);
  return landed;
}

/** Where a new image's original and thumbnail are stored, under a fresh id. */
function storageKeysOf(datasetId: string, file: ValidFile) {
  const id = randomUUID();
  const ext = file.format === "jpeg" ? "jpg" : file.format;
  return { id, storageKey: `datasets/${datasetId}/originals/${id}.${ext}`, thumbKey: `datasets/${datasetId}/thumbs/${id}.webp` };
}

/** `text` matched literally by (I)LIKE (backslash is its default escape). */
const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);
