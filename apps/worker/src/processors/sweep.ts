import { parseJobPayload, sweepSessionsJob } from "@spellcast/queue";
import type { Job } from "bullmq";

import { sweepSessions } from "../sweeper";
import type { SweepReport } from "../sweeper";
import type { ProcessorDeps } from "./types";

/** The scheduled safety net (see sweeper.ts); a failed sweep is simply the next tick's work. */
export async function processSweep(job: Job, deps: ProcessorDeps): Promise<SweepReport> {
  parseJobPayload(sweepSessionsJob, job.data);
  return sweepSessions(deps, { queuedAfterMs: deps.env.SWEEP_QUEUED_AFTER_MS, stepMaxAttempts: deps.env.MAX_ATTEMPTS });
}
