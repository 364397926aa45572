import type { Job } from "bullmq";

import { enqueueMany } from "./enqueue";
import { BACKGROUND_PRIORITY, generationJobId, isBackgroundJob, runGenerationJob } from "./jobs/run-generation";
import type { RunGenerationPayload } from "./jobs/run-generation";
import type { Producers } from "./producers";

export interface EnqueueGenerationInput {
  sessionId: string;
  userId: string;
  /** The session's own `max_attempts`: BullMQ's attempts must match what the session promises. */
  maxAttempts: number;
  /** Spell steps: cast metadata carried in the job data through every step. */
  cast?: RunGenerationPayload["cast"];
  /** Attempts an earlier job of the session made before the queue lost it: this one gets the rest. */
  attemptsBefore?: number;
}

/**
 * Adds the session's job with `jobId = gen_<sessionId>`: a repeat (a retried request, the sweeper
 * re-enqueueing what Redis lost) is a no-op while the job exists.
 */
export async function enqueueGeneration(
  producers: Producers,
  input: EnqueueGenerationInput,
): Promise<Job<RunGenerationPayload>> {
  const [job] = await enqueueGenerations(producers, [input]);
  if (!job) throw new Error("BullMQ returned no job");
  return job;
}

/** Many sessions' jobs in one round trip (a caption run's batch of casts, a batch's next steps). */
export async function enqueueGenerations(
  producers: Producers,
  inputs: readonly EnqueueGenerationInput[],
): Promise<Job<RunGenerationPayload>[]> {
  return enqueueMany(
    producers,
    runGenerationJob,
    inputs.map((input) => {
      const before = input.attemptsBefore ?? 0;
      return {
        payload: { sessionId: input.sessionId, userId: input.userId, ...(input.cast ? { cast: input.cast } : {}), ...(before > 0 ? { attemptsBefore: before } : {}) },
        options: {
          jobId: generationJobId(input.sessionId),
          attempts: Math.max(1, input.maxAttempts - before),
          ...(isBackgroundJob(input) ? { priority: BACKGROUND_PRIORITY } : {}),
        },
      };
    }),
  );
}
