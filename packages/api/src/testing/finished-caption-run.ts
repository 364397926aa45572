import sharp from "sharp";

import type { StepJob } from "@spellcast/core";
import { addImagesToDataset, BUILT_IN_CAPTION_SPELL_ID, completeSession, markSessionRunning, startCaptionRun } from "@spellcast/core";

import type { createApiHarness } from "./api-harness";

type ApiHarness = ReturnType<typeof createApiHarness>;
type SignedUp = Awaited<ReturnType<ApiHarness["signUp"]>>;

/**
 * A finished caption run over images named like a real dataset (`cat one.png`, `dog.jpeg`,
 * `bird.webp`), driven through core as the worker would; the last step writes `captionOf(index)`.
 */
export async function finishedCaptionRun(api: ApiHarness, owner: SignedUp, captionOf: (imageIndex: number) => string) {
  const step = async (job: StepJob, text: string) => {
    await markSessionRunning(api.db, { sessionId: job.sessionId, attempt: 1, leaseMs: 60_000 });
    return (await completeSession(api.db, { sessionId: job.sessionId, outputs: { kind: "text", text } })).chain.next;
  };
  const me = await owner.caller.me();
  const ds = await owner.caller.datasets.create({ name: "Export me" });
  const names = ["cat one.png", "dog.jpeg", "bird.webp"];
  const files = [];
  for (const [i, name] of names.entries()) {
    const format = name.endsWith(".png") ? "png" : name.endsWith(".jpeg") ? "jpeg" : "webp";
    const buf = await sharp({ create: { width: 16, height: 16, channels: 3, background: { r: i * 40, g: 0, b: 0 } } }).toFormat(format).toBuffer();
    files.push({ name, bytes: new Uint8Array(buf) });
  }
  await addImagesToDataset(api.db, api.storage, { userId: me.id, datasetId: ds.id, files });
  const first: StepJob[] = [];
  const set = await startCaptionRun(api.db, { userId: me.id, datasetId: ds.id, spellId: BUILT_IN_CAPTION_SPELL_ID }, { maxAttempts: 1, holdMs: 60_000 }, async (jobs) => void first.push(...jobs));
  for (const job of first) {
    for (const next of await step(job, "The image shows a thing")) {
      if (next.cast.imageIndex === null) throw new Error("a caption run's cast without an image index");
      await step(next, captionOf(next.cast.imageIndex));
    }
  }
  return { set, names };
}
