import { setTimeout as sleep } from "node:timers/promises";

import { echoJob, parseJobPayload } from "@spellcast/queue";
import type { EchoResult } from "@spellcast/queue";
import type { Job } from "bullmq";

import type { ProcessorDeps } from "./types";

/**
 * Diagnostics: answer with the message. `failTimes` fails that many attempts first (retry tests);
 * `delayMs` holds the job active (shutdown tests). The delay is not cut short when shutdown starts,
 * only when the job is handed back after the grace period.
 */
export async function processEcho(job: Job, deps: ProcessorDeps): Promise<EchoResult> {
  const payload = parseJobPayload(echoJob, job.data);
  // attemptsMade counts finished attempts: 0 on the first run.
  if (payload.failTimes !== undefined && job.attemptsMade < payload.failTimes) {
    throw new Error(`echo: planned failure ${job.attemptsMade + 1} of ${payload.failTimes}`);
  }
  if (payload.delayMs) await sleep(payload.delayMs, undefined, { signal: deps.signal });
  deps.logger.debug({ length: payload.message.length }, "echo answered");
  return { echoed: payload.message };
}
