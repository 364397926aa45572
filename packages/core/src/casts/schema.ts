import { z } from "zod";

import type { SessionSnapshot } from "../sessions/schema";
import { clientKeySchema } from "../sessions/schema";
import { carriedStepsSchema, MAX_CAST_TEXT_LENGTH, spellStepSchema } from "../spells/schema";

const imageStepInputSchema = z.object({
  kind: z.literal("image"),
  datasetId: z.string().uuid(),
  imageId: z.string().uuid(),
  imageIndex: z.number().int(),
});
const textStepInputSchema = z.object({ kind: z.literal("text"), text: z.string() });

/** What a step reads: an image of a dataset, or the text the previous step stored. */
export const stepInputSchema = z.discriminatedUnion("kind", [imageStepInputSchema, textStepInputSchema]);
export type StepInput = z.infer<typeof stepInputSchema>;

/** What a caller casts a spell on: some text, or one image of one of their datasets (its index is looked up). */
export const castSourceSchema = z.discriminatedUnion("kind", [
  imageStepInputSchema.omit({ imageIndex: true }).strict(),
  textStepInputSchema.extend({ text: z.string().trim().min(1, "Give some text to cast on").max(MAX_CAST_TEXT_LENGTH, `Text to cast on is at most ${MAX_CAST_TEXT_LENGTH} characters`) }).strict(),
]);
export type CastSource = z.infer<typeof castSourceSchema>;

/**
 * A single cast (outside caption runs): which spell, on what. `clientKey` is the caller's
 * idempotency key: the same key from the same user returns the cast the first request made.
 */
export const castRequestSchema = z
  .object({ spellId: z.string().uuid(), input: castSourceSchema, clientKey: clientKeySchema.optional() })
  .strict();
export type CastRequest = z.infer<typeof castRequestSchema>;

/** A cast's frozen copy of its spell (edits to the spell never change a running cast) and its input. */
export const castInputSchema = z.object({
  steps: z.array(spellStepSchema).min(1),
  source: stepInputSchema,
  /** Attempts and hold duration of every step session this cast creates. */
  options: z.object({ maxAttempts: z.number().int().min(1), holdMs: z.number().int().min(1) }),
  /** The failed cast of the same input this one carries on from (see `carriedStepsSchema`). */
  carriedFrom: carriedStepsSchema.optional(),
});
export type CastInput = z.infer<typeof castInputSchema>;

/** A step session ready for the queue (job id `gen_<sessionId>`), enqueued after commit. */
export interface StepJob {
  sessionId: string;
  userId: string;
  maxAttempts: number;
  cast: { castId: string; spellId: string; stepIndex: number; datasetId: string | null; imageIndex: number | null; captionSetId: string | null };
}

/** How step sessions are created: attempts per step and how long each hold lasts. */
export interface StepOptions {
  maxAttempts: number;
  holdMs: number;
}

/**
 * What the transaction that wrote a caption read, so the worker can log where the text came from
 * (and where it went missing).
 */
export interface CaptionWrite {
  captionId: string | null;
  captionSetId: string;
  imageIndex: number | null;
  castId: string;
  textLength: number;
  sources: { completionSnapshot: boolean; stepStoredOutput: boolean };
  fieldsRead: string[];
  landed: boolean;
  setFlippedTo: string | null;
}

/**
 * The job that completes a step runs its cast's next paid step itself, with no queue hop between
 * them: the step is created `running` (attempt 1) and owned by that job (`job_id`), so the
 * sweeper sees a live job for it and a crashed worker's job, delivered again, finds it.
 */
export interface ContinueAs {
  /** The BullMQ job id of the job completing the step. */
  jobId: string;
  /** The created step's lease: how long it may run unrenewed before the sweeper presumes its worker dead. */
  leaseMs: number;
}

/** A step created `running` for the job that completed the step before it (see `ContinueAs`). */
export interface ContinuedStep {
  job: StepJob;
  session: SessionSnapshot;
}

/** What a completed or failed step led to, inside the same transaction. */
export interface ChainResult {
  /** Steps created `queued`, for the caller to enqueue after commit. */
  next: StepJob[];
  /** The step the completing job goes on to run itself. */
  continued: ContinuedStep | null;
  captionWrite: CaptionWrite | null;
  castStatus: string | null;
}

export const emptyChain = (): ChainResult => ({ next: [], continued: null, captionWrite: null, castStatus: null });
