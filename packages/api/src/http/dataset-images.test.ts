import { readdir } from "node:fs/promises";

import { count, eq } from "drizzle-orm";
import sharp from "sharp";
import { afterAll, describe, expect, it } from "vitest";

import type { DatasetImage, UploadResult } from "@spellcast/core";
import { datasetImages } from "@spellcast/db";

import { createApiHarness } from "../testing/api-harness";
import { serveDatasetImage, uploadDatasetImages } from "./dataset-images";
import { maxRequestBytes } from "./read-upload-form";

const api = createApiHarness({ startingCredits: 0 });
afterAll(() => api.cleanup());

const limits = { maxUploadBytes: 64 * 1024, maxImages: 10 };

async function png(width: number, height: number): Promise<Uint8Array> {
  const buf = await sharp({ create: { width, height, channels: 3, background: "#3366cc" } }).png().toBuffer();
  return new Uint8Array(buf);
}

function uploadRequest(datasetId: string, files: { name: string; bytes: Uint8Array }[], headers: Record<string, string>, fields: Record<string, string> = {}) {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  for (const f of files) form.append("file", new File([new Uint8Array(f.bytes)], f.name, { type: "image/png" }));
  return new Request(`http://localhost/api/datasets/${datasetId}/images`, { method: "POST", body: form, headers });
}

async function upload(datasetId: string, files: { name: string; bytes: Uint8Array }[], headers: Record<string, string>, fields?: Record<string, string>) {
  return uploadDatasetImages(api.deps, uploadRequest(datasetId, files, headers, fields), { datasetId, limits });
}

async function storedFileCount(): Promise<number> {
  const entries = await readdir(api.storageDir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).length;
}

function fetchImage(datasetId: string, image: DatasetImage, variant: string, headers: Record<string, string>) {
  const req = new Request(`http://localhost/api/datasets/${datasetId}/images/${image.id}/${variant}`, { headers });
  return serveDatasetImage(api.deps, req, { datasetId, imageId: image.id, variant });
}

describe("dataset image HTTP routes", () => {
  it("uploads multipart files with a session cookie or an API key, and serves originals and thumbnails to the owner", async () => {
    const owner = await api.signUp("Uploader");
    const ds = await owner.caller.datasets.create({ name: "HTTP" });
    const a = await png(400, 300);

    const viaCookie = await upload(ds.id, [{ name: "a.png", bytes: a }], { cookie: owner.cookie });
    expect(viaCookie.status).toBe(200);
    const first = (await viaCookie.json()) as UploadResult;
    expect(first.rejected).toEqual([]);
    expect(first.added).toMatchObject([{ fileName: "a.png", width: 400, height: 300, imageIndex: 0 }]);

    const { key } = await owner.caller.apiKeys.create({ name: "uploader app" });
    const viaKey = await upload(ds.id, [{ name: "b.png", bytes: await png(10, 20) }], { authorization: `Bearer ${key}` });
    expect(viaKey.status).toBe(200);
    expect(((await viaKey.json()) as UploadResult).added).toMatchObject([{ fileName: "b.png", imageIndex: 1 }]);

    const image = first.added[0];
    if (!image) throw new Error("no image");
    const original = await fetchImage(ds.id, image, "original", { cookie: owner.cookie });
    expect(original.status).toBe(200);
    expect(original.headers.get("content-type")).toBe("image/png");
    expect(new Uint8Array(await original.arrayBuffer())).toEqual(a);
    const thumb = await fetchImage(ds.id, image, "thumb", { authorization: `Bearer ${key}` });
    expect(thumb.headers.get("content-type")).toBe("image/webp");
    const meta = await sharp(new Uint8Array(await thumb.arrayBuffer())).metadata();
    expect([meta.width, meta.height]).toEqual([256, 192]);
    expect((await fetchImage(ds.id, image, "huge", { cookie: owner.cookie })).status).toBe(404);
    expect((await owner.caller.datasets.get({ id: ds.id })).dataset.imageCount).toBe(2);
  });

  it("rejects a fake PNG, an empty file, an over-limit file and a path-traversal name, each by name, storing nothing", async () => {
    const owner = await api.signUp();
    const ds = await owner.caller.datasets.create({ name: "Bad files" });
    const before = await storedFileCount();
    const res = await upload(
      ds.id,
      [
        { name: "readme.png", bytes: new TextEncoder().encode("hello, I am text") },
        { name: "zero.png", bytes: new Uint8Array() },
        { name: "big.png", bytes: new Uint8Array(limits.maxUploadBytes + 1).fill(7) },
        { name: "../../etc/evil.png", bytes: await png(8, 8) },
      ],
      { cookie: owner.cookie },
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as UploadResult;
    expect(body.added).toEqual([]);
    expect(body.rejected).toEqual([
      { name: "readme.png", reason: "not a PNG, JPEG or WebP image" },
      { name: "zero.png", reason: "empty file (0 bytes)" },
      { name: "big.png", reason: "file is 64 KB; the limit is 64 KB per image" },
      { name: "../../etc/evil.png", reason: expect.stringMatching(/leave its folder/) },
    ]);
    expect(await storedFileCount()).toBe(before);
    const [rows] = await api.db.select({ n: count() }).from(datasetImages).where(eq(datasetImages.datasetId, ds.id));
    expect(rows?.n).toBe(0);
  });

  it("an image already in the dataset is rejected by name with the image it repeats, and the rest of the batch is added", async () => {
    const owner = await api.signUp();
    const ds = await owner.caller.datasets.create({ name: "Repeats" });
    const cat = await png(30, 20);
    const first = await upload(ds.id, [{ name: "cat.png", bytes: cat }], { cookie: owner.cookie });
    expect(((await first.json()) as UploadResult).added).toMatchObject([{ fileName: "cat.png" }]);
    const before = await storedFileCount();

    const res = await upload(
      ds.id,
      [
        { name: "cat again.png", bytes: cat },
        { name: "dog.png", bytes: await png(20, 30) },
      ],
      { cookie: owner.cookie },
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as UploadResult;
    expect(body.added).toMatchObject([{ fileName: "dog.png", imageIndex: 1 }]);
    expect(body.rejected).toEqual([{ name: "cat again.png", reason: 'the same image is already in this dataset as "cat.png"' }]);
    expect(await storedFileCount()).toBe(before + 2);
    expect((await owner.caller.datasets.get({ id: ds.id })).dataset.imageCount).toBe(2);
  });

  it("requests naming reserved places keep the chosen order whichever lands first; a bad place is a 400 that stores nothing", async () => {
    const owner = await api.signUp();
    const ds = await owner.caller.datasets.create({ name: "Ordered" });
    const files = await Promise.all([1, 2, 3, 4].map(async (n) => ({ name: `frame_${n}.png`, bytes: await png(8 + n, 8) })));
    const { firstIndex } = await owner.caller.datasets.reserveImageIndexes({ datasetId: ds.id, count: 4 });
    const cookie = { cookie: owner.cookie };
    const later = await upload(ds.id, files.slice(2), cookie, { firstIndex: String(firstIndex + 2) });
    expect(later.status).toBe(200);
    expect(((await later.json()) as UploadResult).added.map((i) => i.imageIndex)).toEqual([2, 3]);
    expect((await upload(ds.id, files.slice(0, 2), cookie, { firstIndex: String(firstIndex) })).status).toBe(200);
    const { images } = await owner.caller.datasets.get({ id: ds.id });
    expect(images.map((i) => i.fileName)).toEqual(["frame_1.png", "frame_2.png", "frame_3.png", "frame_4.png"]);

    const before = await storedFileCount();
    const extra = [{ name: "extra.png", bytes: await png(30, 8) }];
    for (const bad of ["-1", "1.5", "first", ""]) {
      const res = await upload(ds.id, extra, cookie, { firstIndex: bad });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: string }).error).toMatch(/^firstIndex: a whole number/);
    }
    const unreserved = await upload(ds.id, extra, cookie, { firstIndex: "4" });
    expect(unreserved.status).toBe(400);
    expect(((await unreserved.json()) as { error: string }).error).toMatch(/were not reserved/);
    expect(await storedFileCount()).toBe(before);

    const stranger = await api.signUp();
    await expect(stranger.caller.datasets.reserveImageIndexes({ datasetId: ds.id, count: 2 })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(owner.caller.datasets.reserveImageIndexes({ datasetId: ds.id, count: 0 })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    // Over the limit: refused in the words core uses, which the page shows as they are.
    await expect(owner.caller.datasets.reserveImageIndexes({ datasetId: ds.id, count: 10_001 })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      cause: { issues: [expect.objectContaining({ message: "count: a whole number of images from 1 to 10000" })] },
    });
    expect(await owner.caller.datasets.reserveImageIndexes({ datasetId: ds.id, count: 1 })).toEqual({ firstIndex: 4, count: 1 });
  });

  it("refuses request-level problems with a clear 4xx: no auth, wrong content type, oversized body", async () => {
    const owner = await api.signUp();
    const ds = await owner.caller.datasets.create({ name: "Limits" });
    const file = [{ name: "ok.png", bytes: await png(8, 8) }];

    const anonymous = await upload(ds.id, file, {});
    expect(anonymous.status).toBe(401);
    const badKey = await upload(ds.id, file, { authorization: "Bearer nope" });
    expect(badKey.status).toBe(401);

    const json = new Request(`http://localhost/api/datasets/${ds.id}/images`, {
      method: "POST",
      body: "{}",
      headers: { cookie: owner.cookie, "content-type": "application/json" },
    });
    const wrongType = await uploadDatasetImages(api.deps, json, { datasetId: ds.id, limits });
    expect(wrongType.status).toBe(415);

    // A streamed body (no Content-Length) is cut off once it passes the request limit…
    const huge = await upload(ds.id, [{ name: "huge.png", bytes: new Uint8Array(maxRequestBytes(limits.maxUploadBytes) + 1) }], {
      cookie: owner.cookie,
    });
    expect(huge.status).toBe(413);
    expect(((await huge.json()) as { error: string }).error).toMatch(/most one request may carry/);
    // …and a declared Content-Length over it is refused before any reading.
    const declared = uploadRequest(ds.id, file, { cookie: owner.cookie, "content-length": String(100 * 1024 * 1024) });
    declared.headers.set("content-type", "multipart/form-data; boundary=x");
    expect((await uploadDatasetImages(api.deps, declared, { datasetId: ds.id, limits })).status).toBe(413);

    const missing = await upload("00000000-0000-4000-8000-000000000000", file, { cookie: owner.cookie });
    expect(missing.status).toBe(404);
    expect((await owner.caller.datasets.get({ id: ds.id })).dataset.imageCount).toBe(0);
  });

  it("another user can neither upload to my dataset nor fetch its images (404, as if it did not exist)", async () => {
    const alice = await api.signUp("Alice");
    const bob = await api.signUp("Bob");
    const ds = await alice.caller.datasets.create({ name: "Private" });
    const res = await upload(ds.id, [{ name: "a.png", bytes: await png(8, 8) }], { cookie: alice.cookie });
    const image = ((await res.json()) as UploadResult).added[0];
    if (!image) throw new Error("no image");
    const before = await storedFileCount();

    const intrusion = await upload(ds.id, [{ name: "b.png", bytes: await png(8, 8) }], { cookie: bob.cookie });
    expect(intrusion.status).toBe(404);
    for (const variant of ["original", "thumb"]) {
      const stolen = await fetchImage(ds.id, image, variant, { cookie: bob.cookie });
      expect(stolen.status).toBe(404);
      expect(await stolen.json()).toEqual({ error: "Image not found", code: "NOT_FOUND" });
    }
    expect((await fetchImage(ds.id, image, "thumb", {})).status).toBe(401);
    expect(await storedFileCount()).toBe(before);
    expect((await alice.caller.datasets.get({ id: ds.id })).images.map((i) => i.id)).toEqual([image.id]);
    // The owner's delete removes the files too.
    await alice.caller.datasets.delete({ id: ds.id });
    expect(await storedFileCount()).toBe(before - 2);
  });
});
