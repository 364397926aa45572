import { expect, test } from "@playwright/test";
import sharp from "sharp";

import { BUILT_IN_CAPTION_SPELL_ID } from "../../packages/core/src/spells/schema";
import type { CaptionProgress, SessionEvent } from "../../packages/client/src/index";
import { createSpellcastClient } from "../../packages/client/src/index";
import { freshApiKey } from "../support/client-setup";
import { addSimFaults, uniqueToken } from "../support/generations";

async function pngs(n: number) {
  const files = [];
  for (let i = 0; i < n; i++) {
    const data = await sharp({ create: { width: 32, height: 32, channels: 3, background: { r: 40 * i, g: 120, b: 200 } } }).png().toBuffer();
    files.push({ name: `swatch ${i}.png`, data: new Uint8Array(data), type: "image/png" });
  }
  return files;
}

test("uploadImages, castSpell on an uploaded image and on text, startCaptionRun progress to completed", async ({ baseURL }) => {
  if (!baseURL) throw new Error("no baseURL");
  const { key } = await freshApiKey(baseURL, "client casts");
  const spellcast = createSpellcastClient({ url: baseURL, apiKey: key });

  const dataset = await spellcast.trpc.datasets.create.mutate({ name: "Client casts" });
  const uploaded = await spellcast.uploadImages(dataset.id, await pngs(2));
  expect(uploaded.rejected).toEqual([]);
  expect(uploaded.added).toHaveLength(2);
  const image = uploaded.added[0];
  if (!image) throw new Error("no image");

  // The built-in caption spell (joycaption → rewrite → chatgpt) on one uploaded image.
  const events: SessionEvent[] = [];
  const captioned = await spellcast.castSpell(
    { spellId: BUILT_IN_CAPTION_SPELL_ID, input: { kind: "image", datasetId: dataset.id, imageId: image.id } },
    { timeoutMs: 45_000, onEvent: (e) => events.push(e) },
  );
  expect(captioned).toMatchObject({ status: "completed", datasetId: dataset.id, imageId: image.id, captionSetId: null });
  expect(captioned.stepGenerationIds).toHaveLength(3);
  expect(captioned.output?.kind === "text" ? captioned.output.text.length : 0).toBeGreaterThan(0);
  // It followed the cast's own events and its steps' (each log event once).
  expect(events.some((e) => e.type === "cast_updated" && e.subjectId === captioned.id)).toBe(true);
  expect(events.some((e) => e.type === "session_completed")).toBe(true);
  const ids = events.flatMap((e) => (e.type === "progress" ? [] : [e.id]));
  expect(new Set(ids).size).toBe(ids.length);

  // A text → text spell of the caller's own.
  const polish = await spellcast.trpc.spells.create.mutate({ name: "Polish", steps: [{ tool: "chatgpt", params: { prompt: "Polish this: {{input}}" } }] });
  const polished = await spellcast.castSpell({ spellId: polish.id, input: { kind: "text", text: "a small red fox" } }, { timeoutMs: 45_000 });
  expect(polished.status).toBe("completed");
  expect(polished.output?.kind).toBe("text");

  // A caption run over the dataset: progress ends on completed with every image done.
  const { set, progress } = await spellcast.startCaptionRun({ datasetId: dataset.id, spellId: BUILT_IN_CAPTION_SPELL_ID }, { timeoutMs: 45_000 });
  expect(set).toMatchObject({ datasetId: dataset.id, total: 2 });
  const seen: CaptionProgress[] = [];
  for await (const p of progress) seen.push(p);
  const last = seen.at(-1);
  expect(last).toMatchObject({ status: "completed", total: 2, done: 2, failed: 0, spent: 6 });
  // Counts only go up, and only the last snapshot is a stopped one.
  for (let i = 1; i < seen.length; i++) expect((seen[i]?.done ?? 0) >= (seen[i - 1]?.done ?? 0)).toBe(true);
  expect(seen.slice(0, -1).every((p) => p.status === "in_progress")).toBe(true);
});

test("uploads sent at once with reserved places keep the chosen order, whichever lands first", async ({ baseURL }) => {
  if (!baseURL) throw new Error("no baseURL");
  const { key } = await freshApiKey(baseURL, "client ordered uploads");
  const spellcast = createSpellcastClient({ url: baseURL, apiKey: key });
  const dataset = await spellcast.trpc.datasets.create.mutate({ name: "Client ordered" });
  const files = await pngs(4);
  const { firstIndex } = await spellcast.trpc.datasets.reserveImageIndexes.mutate({ datasetId: dataset.id, count: 4 });
  // The second half first: its images still stand after the first half's.
  await spellcast.uploadImages(dataset.id, files.slice(2), { firstIndex: firstIndex + 2 });
  await spellcast.uploadImages(dataset.id, files.slice(0, 2), { firstIndex });
  const { images } = await spellcast.trpc.datasets.get.query({ id: dataset.id });
  expect(images.map((i) => i.fileName)).toEqual(["swatch 0.png", "swatch 1.png", "swatch 2.png", "swatch 3.png"]);
});

test("uploadImages with reserved places sends an upload again when its answer is lost after the server stored it: the files come back added, stored once", async ({ baseURL }) => {
  if (!baseURL) throw new Error("no baseURL");
  const { key } = await freshApiKey(baseURL, "client upload retry");
  // The connection drops after the server answered the first upload: the client never sees it.
  let uploads = 0;
  const dropFirstAnswer: typeof fetch = async (input, init) => {
    const res = await fetch(input, init);
    if (init?.method === "POST" && String(input).endsWith("/images") && ++uploads === 1) {
      await res.arrayBuffer();
      throw new TypeError("fetch failed");
    }
    return res;
  };
  const spellcast = createSpellcastClient({ url: baseURL, apiKey: key, fetch: dropFirstAnswer });
  const dataset = await spellcast.trpc.datasets.create.mutate({ name: "Client retry" });
  const { firstIndex } = await spellcast.trpc.datasets.reserveImageIndexes.mutate({ datasetId: dataset.id, count: 3 });
  const result = await spellcast.uploadImages(dataset.id, await pngs(3), { firstIndex });
  expect(uploads).toBe(2);
  expect(result.rejected).toEqual([]);
  expect(result.added.map((i) => `${i.imageIndex}:${i.fileName}`)).toEqual(["0:swatch 0.png", "1:swatch 1.png", "2:swatch 2.png"]);
  await expect(spellcast.trpc.datasets.get.query({ id: dataset.id })).resolves.toMatchObject({ dataset: { imageCount: 3 } });

  // Without places the same loss is not retried: a second landing would be refused as a repeat.
  uploads = 0;
  const other = await spellcast.trpc.datasets.create.mutate({ name: "Client no retry" });
  await expect(spellcast.uploadImages(other.id, await pngs(1))).rejects.toThrow("fetch failed");
  expect(uploads).toBe(1);
});

test("castSpell of a spell whose step fails resolves failed with the step's provider message and refund", async ({ baseURL }) => {
  if (!baseURL) throw new Error("no baseURL");
  const { key } = await freshApiKey(baseURL, "client cast fails");
  const spellcast = createSpellcastClient({ url: baseURL, apiKey: key });
  const token = uniqueToken("castfail");
  await addSimFaults([{ match: { promptContains: token }, status: 400, body: JSON.stringify({ error: { message: "Refused by the model", type: "invalid_request_error" } }) }]);
  const spell = await spellcast.trpc.spells.create.mutate({
    name: "Tidy then fail",
    steps: [{ tool: "rewrite", params: {} }, { tool: "chatgpt", params: { prompt: `${token} {{input}}` } }],
  });
  const before = await spellcast.trpc.credits.balance.query();
  const failed = await spellcast.castSpell({ spellId: spell.id, input: { kind: "text", text: "hello there" } }, { timeoutMs: 45_000 });
  expect(failed.status).toBe("failed");
  expect(failed.errorDetails).toMatchObject({ failedStep: 1, providerStatus: 400, refundedCredits: 1 });
  expect(failed.errorDetails?.providerMessage).toContain("Refused by the model");
  await expect(spellcast.trpc.credits.balance.query()).resolves.toMatchObject({ balance: before.balance, held: 0 });
});
