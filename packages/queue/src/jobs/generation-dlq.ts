import { z } from "zod";

import { QueueName } from "../names";
import { defineJob } from "./define";

/** What the failure handler knew when it gave up on a generation job. */
export const deadLetterErrorSchema = z.object({
  providerStatus: z.number().int().nullable(),
  providerMessage: z.string(),
  providerBody: z.string().nullable(),
  requestId: z.string().nullable(),
  reason: z.string(),
  fatal: z.boolean(),
});

export const generationDeadLetterSchema = z.object({
  /** The failed job's data as it was in Redis (it may be the reason it failed, so not re-parsed). */
  original: z.unknown(),
  sessionId: z.string().nullable(),
  jobId: z.string().nullable(),
  failedReason: z.string(),
  attemptsMade: z.number().int().min(0),
  maxAttempts: z.number().int().min(0),
  failedAt: z.string(),
  error: deadLetterErrorSchema,
});
export type GenerationDeadLetter = z.infer<typeof generationDeadLetterSchema>;

/** One record per session (or per job without a readable session): a second add is a no-op. */
export const deadLetterJobId = (key: string) => `dlq_${key}`;

/**
 * A record, not work: generation jobs that failed for good, kept for operators (Bull Board). No
 * worker consumes `generation-dlq`, so this definition is deliberately left out of `allJobs` (whose
 * every entry must have a processor); jobs stay waiting there until an operator removes them.
 */
export const generationDeadLetterJob = defineJob({
  name: "dead-letter",
  queue: QueueName.generationDlq,
  schema: generationDeadLetterSchema,
  defaultOptions: {
    attempts: 1,
    backoff: { type: "fixed", delay: 0 },
    removeOnComplete: false,
    removeOnFail: false,
  },
});
