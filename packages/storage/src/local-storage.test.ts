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

  it("refuses keys that would escape the root or hide files", async () => {
    for (const key of ["../etc/passwd", "/abs/path", "a/../../b", "a/.hidden", "", "a//b", "a\\b"]) {
      await expect(storage.put(key, new Uint8Array([1]), "text/plain")).rejects.toThrow(/storage key/);
    }
  });
});
