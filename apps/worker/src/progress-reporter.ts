import { generationProgressSchema } from "@spellcast/queue";
import type { GenerationProgress } from "@spellcast/queue";
import type { Job } from "bullmq";

import type { Logger } from "./logger";

const TICK_MS = 2_000;

export interface ProgressReporter {
  report(percent: number, stage: string): void;
  /** While a long call runs: creep towards `upTo` % over `expectedMs`, every couple of seconds. */
  tickDuring(fromPercent: number, upTo: number, expectedMs: number, stage: string): { stop(): void };
}

/**
 * For a spell step: reports nothing. Its caption set's counters are the progress a user follows,
 * and a caption run's thousands of steps would otherwise cost four Redis scripts each.
 */
export const silentProgress: ProgressReporter = {
  report: () => undefined,
  tickDuring: () => ({ stop: () => undefined }),
};

/**
 * Progress through `job.updateProgress` (forwarded to the owner's stream by the web's QueueEvents).
 * Best effort: a failed update is logged, never fails the job.
 */
export function createProgressReporter(job: Job, ids: Pick<GenerationProgress, "sessionId" | "userId">, logger: Logger): ProgressReporter {
  const report = (percent: number, stage: string) => {
    const progress = generationProgressSchema.parse({ ...ids, percent: Math.min(100, Math.max(0, Math.round(percent))), stage });
    job.updateProgress(progress).catch((err: unknown) => logger.warn({ err }, "progress update failed"));
  };
  return {
    report,
    tickDuring(fromPercent, upTo, expectedMs, stage) {
      const startedAt = Date.now();
      const timer = setInterval(() => {
        const share = Math.min(1, (Date.now() - startedAt) / Math.max(1, expectedMs));
        report(fromPercent + (upTo - fromPercent) * share, stage);
      }, TICK_MS);
      timer.unref();
      return { stop: () => clearInterval(timer) };
    },
  };
}
