import { setTimeout as sleep } from "node:timers/promises";

import { addImagesToDataset, createDataset, getCaptionSet, rerunFailedCaptions, startCaptionRun } from "@spellcast/core";
import type { CaptionSetSnapshot, CaptionSnapshot } from "@spellcast/core";
import { createSeedreamAdapter } from "@spellcast/providers";
import { enqueueGeneration } from "@spellcast/queue";
import { createLocalStorage } from "@spellcast/storage";

import type { GenerationHarness } from "./generation-test-harness";

// Test-only helpers for caption runs on top of the generation harness (same sim, db, storage).

export interface CaptionHarness {
  datasetWith(userId: string, images: number): Promise<string>;
  start(userId: string, datasetId: string, spellId: string, budget?: number, castWindow?: number): Promise<CaptionSetSnapshot>;
  rerunFailed(userId: string, setId: string): Promise<CaptionSetSnapshot>;
  enqueueJobs: (jobs: Parameters<typeof enqueueGeneration>[1][]) => Promise<void>;
  waitForSet(userId: string, setId: string, statuses: readonly string[], timeoutMs?: number): Promise<{ set: CaptionSetSnapshot; captions: CaptionSnapshot[] }>;
}

export function captionHarness(h: GenerationHarness): CaptionHarness {
  const storage = createLocalStorage(h.storageDir);
  const seedream = createSeedreamAdapter({ baseUrl: h.sim.url, apiKey: "sim-key", model: "seedream-3-0-t2i", timeoutMs: 10_000 });
  const enqueueJobs = async (jobs: Parameters<typeof enqueueGeneration>[1][]) => {
    for (const job of jobs) await enqueueGeneration(h.producers, job);
  };
  const options = { maxAttempts: 3, holdMs: 3_600_000, batchSize: 50 };
  return {
    enqueueJobs,
    async datasetWith(userId, images) {
      const dataset = await createDataset(h.db, { userId, name: `ds ${images}` });
      const files = [];
      for (let i = 0; i < images; i++) {
        const { png } = await seedream.generateImage({ prompt: `test image ${i}`, size: "512x512", seed: i });
        files.push({ name: `img_${String(i).padStart(4, "0")}.png`, bytes: png });
      }
      const result = await addImagesToDataset(h.db, storage, { userId, datasetId: dataset.id, files });
      if (result.rejected.length > 0) throw new Error(`uploads rejected: ${JSON.stringify(result.rejected)}`);
      return dataset.id;
    },
    start: (userId, datasetId, spellId, budget, castWindow) =>
      startCaptionRun(h.db, { userId, datasetId, spellId, budget }, { ...options, castWindow }, enqueueJobs),
    rerunFailed: (userId, setId) => rerunFailedCaptions(h.db, { userId, setId }, options, enqueueJobs),
    async waitForSet(userId, setId, statuses, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      let last: Awaited<ReturnType<typeof getCaptionSet>> | undefined;
      while (Date.now() < deadline) {
        last = await getCaptionSet(h.db, { userId, setId });
        if (statuses.includes(last.set.status)) return last;
        await sleep(50);
      }
      throw new Error(`set ${setId} did not reach ${statuses.join("/")} (last: ${JSON.stringify(last?.set)})`);
    },
  };
}
