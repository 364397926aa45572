import { z } from "zod";

import { QueueName } from "../names";
import { defineJob } from "./define";

export const runGenerationPayloadSchema = z.object({
  sessionId: z.string().uuid(),
  /** Carried so progress and logs can be routed to the owner without a database read. */
  userId: z.string().min(1),
  /** Spell steps only: which cast, spell and dataset image this step works for (logs, progress). */
  cast: z
    .object({
      castId: z.string().uuid(),
      spellId: z.string().uuid(),
      stepIndex: z.number().int().min(0),
      datasetId: z.string().uuid().nullable(),
      imageIndex: z.number().int().nullable(),
      /** A caption run's step: background work, behind interactive generations and casts. Absent in jobs from before it was carried. */
      captionSetId: z.string().uuid().nullable().optional(),
    })
    .optional(),
  /** Attempts the session's earlier job made before the queue lost it: this job has only the rest. */
  attemptsBefore: z.number().int().min(1).optional(),
});
export type RunGenerationPayload = z.infer<typeof runGenerationPayloadSchema>;

/**
 * A generation job's attempts as its session counts them: a job enqueued again after the queue
 * lost the first one goes on from that one's count (`attemptsBefore`), within the same total.
 */
export function sessionAttemptsOf(job: { data: unknown; attemptsMade: number; opts: { attempts?: number } }): { made: number; max: number } {
  const parsed = runGenerationPayloadSchema.shape.attemptsBefore.safeParse((job.data as { attemptsBefore?: unknown } | null)?.attemptsBefore);
  const before = parsed.success ? (parsed.data ?? 0) : 0;
  return { made: before + job.attemptsMade, max: before + (job.opts.attempts ?? 1) };
}

/** BullMQ backoff type handled by the worker's custom strategy (honours Retry-After). */
export const PROVIDER_BACKOFF = "provider";

/**
 * BullMQ priority of a caption run's steps. Jobs with no priority (single generations and casts,
 * which a person is waiting on) are taken before any prioritised job, so a run of thousands of
 * images never queues them behind its steps.
 */
export const BACKGROUND_PRIORITY = 10;

/** Whether a job is background work (a caption run's step): it yields the queue and provider slots to interactive jobs. */
export const isBackgroundJob = (payload: Pick<RunGenerationPayload, "cast">) => Boolean(payload.cast?.captionSetId);

/** Job id for a session: a repeated enqueue of the same session is a no-op in BullMQ. */
export const generationJobId = (sessionId: string) => `gen_${sessionId}`;

/** Progress a running generation reports; the web process forwards it to the owner's stream. */
export const generationProgressSchema = z.object({
  sessionId: z.string().uuid(),
  userId: z.string().min(1),
  percent: z.number().min(0).max(100),
  stage: z.string().max(100).optional(),
});
export type GenerationProgress = z.infer<typeof generationProgressSchema>;

/** One provider call for one generation session (a single image, or one spell step). */
export const runGenerationJob = defineJob({
  name: "run-generation",
  queue: QueueName.generation,
  schema: runGenerationPayloadSchema,
  defaultOptions: {
    // Overridden per session with its maxAttempts when enqueued.
    attempts: 3,
    backoff: { type: PROVIDER_BACKOFF, delay: 1_000 },
    removeOnComplete: { age: 24 * 3_600, count: 10_000 },
    // Failed jobs stay for inspection; the dead-letter queue keeps its own copy.
    removeOnFail: { age: 7 * 24 * 3_600, count: 10_000 },
  },
});
