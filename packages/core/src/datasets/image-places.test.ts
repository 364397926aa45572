import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import sharp from "sharp";
import { afterAll, describe, expect, it } from "vitest";

import { createLocalStorage } from "@spellcast/storage";

import { createTestUsers, openTestDb } from "../credits/test-support";
import { addImagesToDataset } from "./add-images";
import { reserveImageIndexes } from "./image-places";
import { createDataset, getDatasetSummary } from "./manage-datasets";
import { getDataset } from "./read-dataset";
import { removeDatasetImages } from "./remove-image";

const { db, close } = openTestDb(4);
const dir = await mkdtemp(path.join(tmpdir(), "spellcast-places-"));
const storage = createLocalStorage(dir);
afterAll(async () => {
  await close();
  await rm(dir, { recursive: true, force: true });
});

async function newDataset() {
  const [userId] = await createTestUsers(db, 1);
  if (!userId) throw new Error("no user");
  const ds = await createDataset(db, { userId, name: "Frames" });
  return { userId, datasetId: ds.id };
}

let shade = 0;
/** Distinct small PNGs named frame_<n>.png (a dataset refuses bytes it already holds). */
async function frames(from: number, to: number) {
  const files = [];
  for (let n = from; n <= to; n++) {
    const bytes = await sharp({ create: { width: 16, height: 16, channels: 3, background: { r: 10, g: shade++ % 256, b: 90 } } })
      .png()
      .toBuffer();
    files.push({ name: `frame_${n}.png`, bytes: new Uint8Array(bytes) });
  }
  return files;
}

async function namesInOrder(userId: string, datasetId: string) {
  const { images } = await getDataset(db, { userId, datasetId, limit: 100 });
  return images.map((i) => `${i.imageIndex}:${i.fileName}`);
}

const storedCount = async (datasetId: string) =>
  (await readdir(path.join(dir, "datasets", datasetId), { recursive: true, withFileTypes: true }).catch(() => [])).filter((e) => e.isFile()).length;

describe("an image's place in its dataset", () => {
  it("uploads naming reserved places keep the order the files were chosen in, whichever commits first; a refused file leaves its place empty", async () => {
    const { userId, datasetId } = await newDataset();
    const reserved = await reserveImageIndexes(db, { userId, datasetId, count: 6 });
    expect(reserved).toEqual({ firstIndex: 0, count: 6 });
    // The second request of the selection commits first, as it may when three are in flight.
    const later = await addImagesToDataset(db, storage, { userId, datasetId, files: await frames(4, 6), firstIndex: 3 });
    expect(later.added.map((i) => i.imageIndex)).toEqual([3, 4, 5]);
    const first = [...(await frames(1, 3))];
    first[1] = { name: "frame_2.png", bytes: new TextEncoder().encode("not an image") };
    const earlier = await addImagesToDataset(db, storage, { userId, datasetId, files: first, firstIndex: 0 });
    expect(earlier.rejected).toEqual([{ name: "frame_2.png", reason: "not a PNG, JPEG or WebP image" }]);
    expect(await namesInOrder(userId, datasetId)).toEqual(["0:frame_1.png", "2:frame_3.png", "3:frame_4.png", "4:frame_5.png", "5:frame_6.png"]);

    // An upload that names no place goes after everything reserved, and so does the next reservation.
    const plain = await addImagesToDataset(db, storage, { userId, datasetId, files: await frames(7, 7) });
    expect(plain.added.map((i) => i.imageIndex)).toEqual([6]);
    expect(await reserveImageIndexes(db, { userId, datasetId, count: 2 })).toEqual({ firstIndex: 7, count: 2 });
    expect((await getDatasetSummary(db, { userId, datasetId })).imageCount).toBe(6);
  });

  it("is never handed out twice: after the last image is removed, the next upload takes a new place", async () => {
    const { userId, datasetId } = await newDataset();
    const files = await frames(1, 2);
    const { added } = await addImagesToDataset(db, storage, { userId, datasetId, files });
    const last = added.at(-1);
    if (!last) throw new Error("nothing added");
    await removeDatasetImages(db, storage, { userId, datasetId, imageIds: [last.id] });
    const again = await addImagesToDataset(db, storage, { userId, datasetId, files: files.slice(1) });
    expect(again.added.map((i) => `${i.imageIndex}:${i.fileName}`)).toEqual(["2:frame_2.png"]);
  });

  it("refuses bad reservations and places not reserved, changing nothing; a place already taken refuses just that file", async () => {
    const { userId, datasetId } = await newDataset();
    for (const count of [0, -1, 1.5, 10_001]) {
      await expect(reserveImageIndexes(db, { userId, datasetId, count })).rejects.toMatchObject({ code: "INVALID_INPUT", message: "count: a whole number of images from 1 to 10000" });
    }
    const [stranger] = await createTestUsers(db, 1);
    await expect(reserveImageIndexes(db, { userId: stranger ?? "", datasetId, count: 3 })).rejects.toMatchObject({ code: "NOT_FOUND" });
    // Nothing was reserved by any of those.
    expect(await reserveImageIndexes(db, { userId, datasetId, count: 2 })).toEqual({ firstIndex: 0, count: 2 });

    // Three files where two places were reserved; a negative place; a place of no reservation.
    await expect(addImagesToDataset(db, storage, { userId, datasetId, files: await frames(1, 3), firstIndex: 0 })).rejects.toMatchObject({
      code: "INVALID_INPUT",
      message: expect.stringMatching(/^firstIndex: places 0–2 were not reserved/),
    });
    await expect(addImagesToDataset(db, storage, { userId, datasetId, files: await frames(1, 1), firstIndex: -1 })).rejects.toMatchObject({ code: "INVALID_INPUT" });
    await expect(addImagesToDataset(db, storage, { userId, datasetId, files: await frames(1, 1), firstIndex: 2 })).rejects.toMatchObject({ code: "INVALID_INPUT" });
    expect(await storedCount(datasetId)).toBe(0);
    expect((await getDatasetSummary(db, { userId, datasetId })).imageCount).toBe(0);

    // A request sent twice (a retry after a lost answer): the second finds its places taken.
    await addImagesToDataset(db, storage, { userId, datasetId, files: await frames(1, 1), firstIndex: 0 });
    const retried = await addImagesToDataset(db, storage, { userId, datasetId, files: await frames(2, 3), firstIndex: 0 });
    expect(retried.added.map((i) => `${i.imageIndex}:${i.fileName}`)).toEqual(["1:frame_3.png"]);
    expect(retried.rejected).toEqual([{ name: "frame_2.png", reason: expect.stringMatching(/already holds its reserved place/) }]);
    expect(await namesInOrder(userId, datasetId)).toEqual(["0:frame_1.png", "1:frame_3.png"]);
    expect(await storedCount(datasetId)).toBe(4);
  });

  it("the same request sent again (its answer lost): the files already in their places come back as added, nothing is stored twice", async () => {
    const { userId, datasetId } = await newDataset();
    await reserveImageIndexes(db, { userId, datasetId, count: 3 });
    const files = await frames(1, 3);
    const first = await addImagesToDataset(db, storage, { userId, datasetId, files, firstIndex: 0 });
    const again = await addImagesToDataset(db, storage, { userId, datasetId, files, firstIndex: 0 });
    expect(again).toEqual({ added: first.added, rejected: [] });
    expect((await getDatasetSummary(db, { userId, datasetId })).imageCount).toBe(3);
    expect(await storedCount(datasetId)).toBe(6);

    // A retry whose first attempt landed only in part adds the rest in their places.
    await reserveImageIndexes(db, { userId, datasetId, count: 2 });
    const more = await frames(4, 5);
    const part = await addImagesToDataset(db, storage, { userId, datasetId, files: more.slice(0, 1), firstIndex: 3 });
    const whole = await addImagesToDataset(db, storage, { userId, datasetId, files: more, firstIndex: 3 });
    expect(whole.added.map((i) => `${i.imageIndex}:${i.fileName}`)).toEqual(["3:frame_4.png", "4:frame_5.png"]);
    expect(whole.added[0]?.id).toBe(part.added[0]?.id);

    // The same bytes at another place are another upload of an image already there: refused.
    await reserveImageIndexes(db, { userId, datasetId, count: 1 });
    const elsewhere = await addImagesToDataset(db, storage, { userId, datasetId, files: files.slice(0, 1), firstIndex: 5 });
    expect(elsewhere).toEqual({ added: [], rejected: [{ name: "frame_1.png", reason: 'the same image is already in this dataset as "frame_1.png"' }] });
    expect(await namesInOrder(userId, datasetId)).toEqual(["0:frame_1.png", "1:frame_2.png", "2:frame_3.png", "3:frame_4.png", "4:frame_5.png"]);
    expect(await storedCount(datasetId)).toBe(10);
  });
});
