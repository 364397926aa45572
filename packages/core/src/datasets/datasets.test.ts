import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { count, eq } from "drizzle-orm";
import sharp from "sharp";
import { afterAll, describe, expect, it } from "vitest";

import { datasetImages, datasets } from "@spellcast/db";
import { createLocalStorage } from "@spellcast/storage";

import { createTestUsers, openTestDb } from "../credits/test-support";
import { addImagesToDataset } from "./add-images";
import { sanitizeFileName, uniqueFileName } from "./file-name";
import { createDataset, deleteDataset, getDatasetSummary, listDatasets } from "./manage-datasets";
import { findStoredImages, getDataset, getImageFile } from "./read-dataset";

const { db, close } = openTestDb(5);
const dir = await mkdtemp(path.join(tmpdir(), "spellcast-datasets-"));
const storage = createLocalStorage(dir);
afterAll(async () => {
  await close();
  await rm(dir, { recursive: true, force: true });
});

async function newUser() {
  const [id] = await createTestUsers(db, 1);
  if (!id) throw new Error("no user");
  return id;
}

/**
 * A real image of the given format, made by the same library the app validates with. `shade` varies
 * the colour: a dataset refuses bytes it already holds, so images meant to be distinct need their own.
 */
async function image(format: "png" | "jpeg" | "webp", width = 640, height = 480, shade = 0): Promise<Uint8Array> {
  const buf = await sharp({ create: { width, height, channels: 3, background: { r: 200, g: 80, b: shade % 256 } } })
    .toFormat(format)
    .toBuffer();
  return new Uint8Array(buf);
}

/** Every file under the storage root (temporary files included). */
async function storedFiles(datasetId?: string): Promise<string[]> {
  const root = datasetId ? path.join(dir, "datasets", datasetId) : dir;
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

async function imageRows(datasetId: string) {
  const [row] = await db.select({ n: count() }).from(datasetImages).where(eq(datasetImages.datasetId, datasetId));
  return row?.n ?? 0;
}

async function newDataset(userId: string, name = "Cats") {
  return createDataset(db, { userId, name });
}

describe("dataset uploads", () => {
  it("accepts real PNG, JPEG and WebP files: dimensions recorded, originals and 256px thumbnails stored", async () => {
    const userId = await newUser();
    const ds = await newDataset(userId);
    const files = [
      { name: "a.png", bytes: await image("png", 640, 480) },
      { name: "b.jpg", bytes: await image("jpeg", 300, 900) },
      { name: "c.webp", bytes: await image("webp", 100, 50) },
    ];
    const result = await addImagesToDataset(db, storage, { userId, datasetId: ds.id, files });
    expect(result.rejected).toEqual([]);
    expect(result.added.map((i) => [i.imageIndex, i.fileName, i.contentType, i.width, i.height])).toEqual([
      [0, "a.png", "image/png", 640, 480],
      [1, "b.jpg", "image/jpeg", 300, 900],
      [2, "c.webp", "image/webp", 100, 50],
    ]);
    expect(await storedFiles(ds.id)).toHaveLength(6);
    expect((await getDatasetSummary(db, { userId, datasetId: ds.id })).imageCount).toBe(3);

    for (const [i, added] of result.added.entries()) {
      const original = await getImageFile(db, storage, { userId, datasetId: ds.id, imageId: added.id, variant: "original" });
      expect(original.bytes).toEqual(files[i]?.bytes);
      const thumb = await getImageFile(db, storage, { userId, datasetId: ds.id, imageId: added.id, variant: "thumb" });
      expect(thumb.contentType).toBe("image/webp");
      const meta = await sharp(thumb.bytes).metadata();
      expect(meta.format).toBe("webp");
      expect(Math.max(meta.width, meta.height)).toBe(Math.min(256, Math.max(added.width, added.height)));
    }
  });

  it("refuses a text file renamed .png, a 0-byte file, an over-limit file and a path-traversal name, storing nothing", async () => {
    const userId = await newUser();
    const ds = await newDataset(userId);
    const before = (await storedFiles()).length;
    const files = [
      { name: "notes.png", bytes: new TextEncoder().encode("just some text, not an image\n") },
      { name: "empty.png", bytes: new Uint8Array() },
      { name: "huge.png", bytes: await image("png", 800, 800) },
      { name: "../escape.png", bytes: await image("png", 10, 10) },
      { name: "/etc/abs.png", bytes: await image("png", 10, 10) },
      { name: "nul\u0000.png", bytes: await image("png", 10, 10) },
      { name: "truncated.png", bytes: (await image("png", 400, 400)).slice(0, 200) },
    ];
    const { added, rejected } = await addImagesToDataset(db, storage, {
      userId,
      datasetId: ds.id,
      files,
      limits: { maxUploadBytes: 1000 },
    });
    expect(added).toEqual([]);
    expect(rejected).toEqual([
      { name: "notes.png", reason: "not a PNG, JPEG or WebP image" },
      { name: "empty.png", reason: "empty file (0 bytes)" },
      { name: "huge.png", reason: expect.stringMatching(/^file is [\d.]+ KB; the limit is 1000 bytes per image$/) },
      { name: "../escape.png", reason: expect.stringMatching(/leave its folder/) },
      { name: "/etc/abs.png", reason: expect.stringMatching(/absolute path/) },
      { name: "nul?.png", reason: "file name contains control characters" },
      { name: "truncated.png", reason: expect.stringMatching(/^damaged or unreadable PNG image/) },
    ]);
    expect(await storedFiles()).toHaveLength(before);
    expect(await imageRows(ds.id)).toBe(0);
    expect((await getDatasetSummary(db, { userId, datasetId: ds.id })).imageCount).toBe(0);
  });

  it("a mixed batch keeps the good files and reports each bad one", async () => {
    const userId = await newUser();
    const ds = await newDataset(userId);
    const { added, rejected } = await addImagesToDataset(db, storage, {
      userId,
      datasetId: ds.id,
      files: [
        { name: "ok.png", bytes: await image("png", 20, 20) },
        { name: "fake.jpg", bytes: new TextEncoder().encode("GIF89a nope") },
      ],
    });
    expect(added.map((a) => a.fileName)).toEqual(["ok.png"]);
    expect(rejected).toEqual([{ name: "fake.jpg", reason: "not a PNG, JPEG or WebP image" }]);
    expect(await storedFiles(ds.id)).toHaveLength(2);
  });

  it("drops folders from names and de-duplicates colliding names within a dataset", async () => {
    const userId = await newUser();
    const ds = await newDataset(userId);
    // Small distinct PNGs under these names, the nth shaded `shade + n`.
    const upload = async (names: string[], shade: number) =>
      addImagesToDataset(db, storage, {
        userId,
        datasetId: ds.id,
        files: await Promise.all(names.map(async (name, n) => ({ name, bytes: await image("png", 16, 16, shade + n) }))),
      });
    const first = await upload(["photos/cat.png", "cat.png"], 0);
    const second = await upload(["CAT.png"], 2);
    expect([...first.added, ...second.added].map((a) => [a.imageIndex, a.fileName])).toEqual([
      [0, "cat.png"],
      [1, "cat (2).png"],
      [2, "CAT (3).png"],
    ]);
    expect(uniqueFileName("x", new Set(["x"]))).toBe("x (2)");
    // Names with LIKE's wildcards collide only with themselves, in any case, across uploads.
    const wild = await upload(["a_b.png", "100%.png"], 3);
    const again = await upload(["axb.png", "A_B.png", "100%.png", "1000.png"], 5);
    expect([...wild.added, ...again.added].map((a) => a.fileName)).toEqual(["a_b.png", "100%.png", "axb.png", "A_B (2).png", "100% (2).png", "1000.png"]);
    expect(sanitizeFileName("a\\..\\b.png")).toMatchObject({ ok: false });
    expect(sanitizeFileName("C:\\x.png")).toMatchObject({ ok: false });
    expect(sanitizeFileName("we<ird>.png")).toEqual({ ok: true, name: "we_ird_.png" });
  });

  it("enforces the count limit per dataset, across uploads", async () => {
    const userId = await newUser();
    const ds = await newDataset(userId);
    const limits = { maxImages: 2 };
    const files = (names: string[]) => Promise.all(names.map(async (name) => ({ name, bytes: await image("png", 8, 8, Number.parseInt(name, 10)) })));
    const first = await addImagesToDataset(db, storage, { userId, datasetId: ds.id, files: await files(["1.png"]), limits });
    const second = await addImagesToDataset(db, storage, { userId, datasetId: ds.id, files: await files(["2.png", "3.png"]), limits });
    const third = await addImagesToDataset(db, storage, { userId, datasetId: ds.id, files: await files(["4.png"]), limits });
    expect(first.added).toHaveLength(1);
    expect(second.added.map((a) => a.fileName)).toEqual(["2.png"]);
    expect(second.rejected).toEqual([{ name: "3.png", reason: "the dataset is full: it holds at most 2 images" }]);
    expect(third).toEqual({ added: [], rejected: [{ name: "4.png", reason: "the dataset is full: it holds at most 2 images" }] });
    expect(await imageRows(ds.id)).toBe(2);
    expect(await storedFiles(ds.id)).toHaveLength(4);
  });

  it("concurrent uploads to one dataset get distinct indexes and names, and respect the limit", async () => {
    const userId = await newUser();
    const ds = await newDataset(userId);
    const pngs = await Promise.all([0, 1, 2, 3].map((i) => image("png", 8, 8, i)));
    const results = await Promise.all(
      pngs.map((png) =>
        addImagesToDataset(db, storage, { userId, datasetId: ds.id, files: [{ name: "same.png", bytes: png }], limits: { maxImages: 3 } }),
      ),
    );
    const added = results.flatMap((r) => r.added);
    expect(added).toHaveLength(3);
    expect(new Set(added.map((a) => a.imageIndex))).toEqual(new Set([0, 1, 2]));
    expect(new Set(added.map((a) => a.fileName))).toEqual(new Set(["same.png", "same (2).png", "same (3).png"]));
    expect(results.flatMap((r) => r.rejected)).toEqual([{ name: "same.png", reason: "the dataset is full: it holds at most 3 images" }]);
    expect(await storedFiles(ds.id)).toHaveLength(6);
  });

  it("pages images in their stable order", async () => {
    const userId = await newUser();
    const ds = await newDataset(userId);
    const { rejected } = await addImagesToDataset(db, storage, {
      userId,
      datasetId: ds.id,
      files: await Promise.all(["a", "b", "c", "d", "e"].map(async (n, i) => ({ name: `${n}.png`, bytes: await image("png", 8, 8, i) }))),
    });
    expect(rejected).toEqual([]);
    const page1 = await getDataset(db, { userId, datasetId: ds.id, limit: 2 });
    const page2 = await getDataset(db, { userId, datasetId: ds.id, limit: 2, cursor: page1.nextCursor });
    const page3 = await getDataset(db, { userId, datasetId: ds.id, limit: 2, cursor: page2.nextCursor });
    expect([page1, page2, page3].map((p) => p.images.map((i) => i.fileName))).toEqual([["a.png", "b.png"], ["c.png", "d.png"], ["e.png"]]);
    expect(page3.nextCursor).toBeNull();
    expect(page1.dataset.imageCount).toBe(5);
  });

  it("deleting a dataset removes its rows and its files", async () => {
    const userId = await newUser();
    const ds = await newDataset(userId);
    await addImagesToDataset(db, storage, { userId, datasetId: ds.id, files: [{ name: "x.png", bytes: await image("png", 8, 8) }] });
    expect(await storedFiles(ds.id)).toHaveLength(2);
    await expect(deleteDataset(db, storage, { userId, datasetId: ds.id })).resolves.toEqual({ id: ds.id, deletedImages: 1, fileErrors: [] });
    expect(await storedFiles(ds.id)).toHaveLength(0);
    expect(await imageRows(ds.id)).toBe(0);
    expect(await db.select().from(datasets).where(eq(datasets.id, ds.id))).toEqual([]);
  });
});

describe("the same image is not added to a dataset twice", () => {
  async function summary(userId: string, datasetId: string) {
    return { count: (await getDatasetSummary(db, { userId, datasetId })).imageCount, rows: await imageRows(datasetId), files: (await storedFiles(datasetId)).length };
  }

  it("the same bytes under another name in a later upload are rejected, naming the image already there; nothing stored", async () => {
    const userId = await newUser();
    const ds = await newDataset(userId);
    const cat = await image("png", 24, 24, 7);
    const first = await addImagesToDataset(db, storage, { userId, datasetId: ds.id, files: [{ name: "photos/cat.png", bytes: cat }] });
    expect(first.added.map((a) => a.fileName)).toEqual(["cat.png"]);
    const before = await summary(userId, ds.id);
    expect(before).toEqual({ count: 1, rows: 1, files: 2 });

    const again = await addImagesToDataset(db, storage, {
      userId,
      datasetId: ds.id,
      files: [
        { name: "kitty.png", bytes: cat },
        { name: "dog.png", bytes: await image("png", 24, 24, 8) },
      ],
    });
    expect(again.added.map((a) => [a.imageIndex, a.fileName])).toEqual([[1, "dog.png"]]);
    expect(again.rejected).toEqual([{ name: "kitty.png", reason: 'the same image is already in this dataset as "cat.png"' }]);
    expect(await summary(userId, ds.id)).toEqual({ count: 2, rows: 2, files: 4 });

    // Alone in its upload: nothing at all happens.
    const alone = await addImagesToDataset(db, storage, { userId, datasetId: ds.id, files: [{ name: "cat.png", bytes: cat }] });
    expect(alone).toEqual({ added: [], rejected: [{ name: "cat.png", reason: 'the same image is already in this dataset as "cat.png"' }] });
    expect(await summary(userId, ds.id)).toEqual({ count: 2, rows: 2, files: 4 });
  });

  it("two identical files in one upload: the first is added, the repeat rejected naming it; repeats take no room", async () => {
    const userId = await newUser();
    const ds = await newDataset(userId);
    const limits = { maxImages: 3 };
    const [red, green, blue] = await Promise.all([1, 2, 3].map((shade) => image("png", 12, 12, shade * 50)));
    if (!red || !green || !blue) throw new Error("no images");
    await addImagesToDataset(db, storage, { userId, datasetId: ds.id, files: [{ name: "red.png", bytes: red }], limits });

    const { added, rejected } = await addImagesToDataset(db, storage, {
      userId,
      datasetId: ds.id,
      files: [
        { name: "green.png", bytes: green },
        { name: "a/green copy.png", bytes: green },
        { name: "red again.png", bytes: red },
        { name: "blue.png", bytes: blue },
        { name: "red again 2.png", bytes: red },
      ],
      limits,
    });
    // Two rooms left: green and blue fill them; none of the three repeats is "the dataset is full".
    expect(added.map((a) => [a.imageIndex, a.fileName])).toEqual([
      [1, "green.png"],
      [2, "blue.png"],
    ]);
    expect(rejected).toEqual([
      { name: "red again.png", reason: 'the same image is already in this dataset as "red.png"' },
      { name: "a/green copy.png", reason: 'the same image is already in this upload as "green.png"' },
      // Its first copy was itself a repeat of the dataset's image, which it names.
      { name: "red again 2.png", reason: 'the same image is already in this dataset as "red.png"' },
    ]);
    expect(await summary(userId, ds.id)).toEqual({ count: 3, rows: 3, files: 6 });
  });

  it("identical bytes in different datasets, of the same user or of another, are each accepted", async () => {
    const alice = await newUser();
    const bob = await newUser();
    const png = await image("png", 10, 10, 99);
    const datasetsOf = [await newDataset(alice, "A1"), await newDataset(alice, "A2"), await newDataset(bob, "B1")];
    const owners = [alice, alice, bob];
    for (const [i, ds] of datasetsOf.entries()) {
      const owner = owners[i] ?? "";
      const result = await addImagesToDataset(db, storage, { userId: owner, datasetId: ds.id, files: [{ name: "shared.png", bytes: png }] });
      expect(result.rejected).toEqual([]);
      expect(result.added.map((a) => a.fileName)).toEqual(["shared.png"]);
      expect(await summary(owner, ds.id)).toEqual({ count: 1, rows: 1, files: 2 });
    }
  });

  it("concurrent uploads of the same new image into one dataset: exactly one is added", async () => {
    const userId = await newUser();
    const ds = await newDataset(userId);
    const png = await image("png", 8, 8, 123);
    const names = ["c0.png", "c1.png", "c2.png", "c3.png", "c4.png"];
    const results = await Promise.all(
      names.map((name) => addImagesToDataset(db, storage, { userId, datasetId: ds.id, files: [{ name, bytes: png }] })),
    );
    const added = results.flatMap((r) => r.added);
    expect(added).toHaveLength(1);
    const winner = added[0]?.fileName ?? "";
    const rejected = results.flatMap((r) => r.rejected);
    expect(rejected.map((r) => r.name).sort()).toEqual(names.filter((n) => n !== winner));
    for (const r of rejected) expect(r.reason).toBe(`the same image is already in this dataset as "${winner}"`);
    expect(await summary(userId, ds.id)).toEqual({ count: 1, rows: 1, files: 2 });
  });
});

describe("dataset access (invariant 6)", () => {
  it("another user cannot see, list, upload to, fetch images of, or delete my dataset", async () => {
    const me = await newUser();
    const other = await newUser();
    const ds = await newDataset(me, "Mine");
    const { added } = await addImagesToDataset(db, storage, { userId: me, datasetId: ds.id, files: [{ name: "m.png", bytes: await image("png", 8, 8) }] });
    const imageId = added[0]?.id ?? "";
    const filesBefore = (await storedFiles()).length;
    const notFound = { code: "NOT_FOUND" };

    expect(await listDatasets(db, { userId: other })).toEqual([]);
    await expect(getDataset(db, { userId: other, datasetId: ds.id, limit: 10 })).rejects.toMatchObject(notFound);
    await expect(
      addImagesToDataset(db, storage, { userId: other, datasetId: ds.id, files: [{ name: "x.png", bytes: await image("png", 8, 8) }] }),
    ).rejects.toMatchObject(notFound);
    for (const variant of ["original", "thumb"] as const) {
      await expect(getImageFile(db, storage, { userId: other, datasetId: ds.id, imageId, variant })).rejects.toMatchObject(notFound);
    }
    await expect(deleteDataset(db, storage, { userId: other, datasetId: ds.id })).rejects.toMatchObject(notFound);
    // Malformed ids are NOT_FOUND too, not database errors.
    await expect(getDataset(db, { userId: me, datasetId: "nope", limit: 10 })).rejects.toMatchObject(notFound);

    expect(await storedFiles()).toHaveLength(filesBefore);
    const mine = await getDataset(db, { userId: me, datasetId: ds.id, limit: 10 });
    expect(mine.images.map((i) => i.id)).toEqual([imageId]);
    expect(mine.dataset.imageCount).toBe(1);
  });

  it("a batched lookup answers each ref for its own owner and dataset only", async () => {
    const me = await newUser();
    const other = await newUser();
    const mine = await newDataset(me, "Mine");
    const theirs = await newDataset(other, "Theirs");
    const png = await image("png", 8, 8);
    const [a, b] = (
      await addImagesToDataset(db, storage, {
        userId: me,
        datasetId: mine.id,
        files: [{ name: "a.png", bytes: png }, { name: "b.png", bytes: await image("png", 8, 8, 1) }],
      })
    ).added;
    const [t] = (await addImagesToDataset(db, storage, { userId: other, datasetId: theirs.id, files: [{ name: "t.png", bytes: png }] })).added;
    if (!a || !b || !t) throw new Error("upload failed");

    const found = await findStoredImages(db, [
      { userId: me, datasetId: mine.id, imageId: a.id },
      { userId: me, datasetId: theirs.id, imageId: t.id }, // their dataset
      { userId: me, datasetId: mine.id, imageId: t.id }, // their image under my dataset's id
      { userId: other, datasetId: mine.id, imageId: b.id }, // my image asked for by them
      { userId: me, datasetId: mine.id, imageId: b.id },
    ]);
    expect(found.map((f) => f?.fileName)).toEqual(["a.png", undefined, undefined, undefined, "b.png"]);
  });
});
