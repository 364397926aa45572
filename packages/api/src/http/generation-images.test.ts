import { randomUUID } from "node:crypto";

import sharp from "sharp";
import { afterAll, describe, expect, it } from "vitest";

import { completeSession, markSessionRunning } from "@spellcast/core";

import { createApiHarness } from "../testing/api-harness";
import { serveGenerationImage } from "./generation-images";

const api = createApiHarness({ startingCredits: 100 });
afterAll(() => api.cleanup());

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** A completed generation whose PNG is in storage, as the worker leaves it. */
async function completedImage(owner: Awaited<ReturnType<typeof api.signUp>>, prompt: string) {
  const session = await owner.caller.generations.create({ prompt, params: { size: "512x512", seed: 7 }, clientKey: randomUUID() });
  const png = new Uint8Array(await sharp({ create: { width: 8, height: 8, channels: 3, background: "#3366cc" } }).png().toBuffer());
  const storageKey = `sessions/${session.id}.png`;
  const stored = await api.storage.put(storageKey, png, "image/png");
  await markSessionRunning(api.db, { sessionId: session.id, attempt: 1, leaseMs: 60_000 });
  await completeSession(api.db, { sessionId: session.id, outputs: { kind: "image", storageKey, contentType: "image/png", bytes: stored.bytes } });
  return { id: session.id, png };
}

const get = (sessionId: string, query: string, headers: Record<string, string>) =>
  serveGenerationImage(api.deps, new Request(`http://localhost/api/images/${sessionId}${query}`, { headers }), { sessionId });

describe("generated image (HTTP, owner only)", () => {
  it("shows inline by default; download=1 sends the same PNG as an attachment named after the prompt", async () => {
    const owner = await api.signUp("Painter");
    const { id, png } = await completedImage(owner, "A quiet harbour at dawn, watercolour");
    const fileName = `a-quiet-harbour-at-dawn-watercolour-${id.slice(0, 8)}.png`;

    const inline = await get(id, "", { cookie: owner.cookie });
    expect(inline.status).toBe(200);
    expect(inline.headers.get("content-type")).toBe("image/png");
    expect(inline.headers.get("content-disposition")).toBe(`inline; filename="${fileName}"`);
    expect(inline.headers.get("cache-control")).toBe("private, max-age=31536000, immutable");
    expect(new Uint8Array(await inline.arrayBuffer())).toEqual(png);

    const download = await get(id, "?download=1", { cookie: owner.cookie });
    expect(download.status).toBe(200);
    expect(download.headers.get("content-disposition")).toBe(`attachment; filename="${fileName}"`);
    const bytes = new Uint8Array(await download.arrayBuffer());
    expect([...bytes.slice(0, 8)]).toEqual(PNG_SIGNATURE);
    expect(bytes).toEqual(png);
  });

  it("another user's image and a bad id are 404, nobody signed in 401, a bad download value 400; refusals are never cached", async () => {
    const owner = await api.signUp("Owner");
    const other = await api.signUp("Other");
    const { id } = await completedImage(owner, "Mine only");
    const refusals = [
      [await get(id, "?download=1", { cookie: other.cookie }), 404],
      [await get(randomUUID(), "", { cookie: owner.cookie }), 404],
      [await get("not-a-session", "", { cookie: owner.cookie }), 404],
      [await get(id, "?download=1", {}), 401],
      [await get(id, "?download=yes", { cookie: owner.cookie }), 400],
    ] as const;
    for (const [res, status] of refusals) {
      expect(res.status).toBe(status);
      expect(res.headers.get("cache-control")).toBe("no-store");
      expect(res.headers.get("content-disposition")).toBeNull();
    }
  });

  it("a generation that has no image yet is a 404", async () => {
    const owner = await api.signUp("Waiting");
    const queued = await owner.caller.generations.create({ prompt: "Not drawn yet", params: { size: "512x512" }, clientKey: randomUUID() });
    expect((await get(queued.id, "", { cookie: owner.cookie })).status).toBe(404);
  });
});
