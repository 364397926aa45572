import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { afterAll, describe, expect, it } from "vitest";

import { createLocalStorage } from "./local-storage";

const dir = await mkdtemp(path.join(tmpdir(), "spellcast-storage-"));
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("local storage", () => {
  const storage = createLocalStorage(dir);

  it("stores and reads back bytes; a missing key reads as null; delete removes", async () => {
    const data = new Uint8Array([1, 2, 3, 4]);
    await expect(storage.put("sessions/abc.png", data, "image/png")).resolves.toEqual({ key: "sessions/abc.png", bytes: 4 });
    expect(await storage.get("sessions/abc.png")).toEqual(data);
    expect(await storage.get("sessions/missing.png")).toBeNull();
    await storage.delete("sessions/abc.png");
    expect(await storage.get("sessions/abc.png")).toBeNull();
  });

  it("reads a file whole on both paths: below the synchronous-read size and above it", async () => {
    const small = createLocalStorage(dir, { syncReadMaxBytes: 16 });
    const tiny = new Uint8Array([9, 8, 7]);
    const large = new Uint8Array(300_000).map((_, i) => i % 251);
    await small.put("reads/tiny.bin", tiny, "application/octet-stream");
    await small.put("reads/large.bin", large, "application/octet-stream");
    const [readTiny, readLarge] = await Promise.all([small.get("reads/tiny.bin"), small.get("reads/large.bin")]);
    expect(readTiny).toEqual(tiny);
    expect(readLarge).toEqual(large);
    expect(readLarge?.byteLength).toBe(300_000);
    // A plain Uint8Array (not a Buffer): callers compare and hand it on as such.
    expect(Object.getPrototypeOf(readTiny)).toBe(Uint8Array.prototype);
    expect(await small.get("reads/none.bin")).toBeNull();
  });

  it("refuses keys that would escape the root or hide files", async () => {
    for (const key of ["../etc/passwd", "/abs/path", "a/../../b", "a/.hidden", "", "a//b", "a\\b"]) {
      await expect(storage.put(key, new Uint8Array([1]), "text/plain")).rejects.toThrow(/storage key/);
    }
  });
});
