import { z } from "zod";

import { errorDetailsSchema } from "./error-details";

export const sessionStatusSchema = z.enum(["queued", "running", "completed", "failed", "canceled"]);
export type SessionStatus = z.infer<typeof sessionStatusSchema>;
export const terminalStatuses: readonly SessionStatus[] = ["completed", "failed", "canceled"];
export const isTerminalStatus = (status: SessionStatus) => terminalStatuses.includes(status);

export const imageSizeSchema = z.enum(["512x512", "768x768", "1024x1024", "1024x1536", "1536x1024"]);
export type ImageSize = z.infer<typeof imageSizeSchema>;

export const MAX_PROMPT_LENGTH = 4000;

/** What a person (or another app) asks for. Unknown parameters are refused, not ignored. */
export const generationParamsSchema = z
  .object({
    size: imageSizeSchema.default("1024x1024"),
    seed: z.number().int().min(0).max(2_147_483_647).optional(),
  })
  .strict();
export type GenerationParams = z.infer<typeof generationParamsSchema>;

/**
 * A caller's idempotency key (generations and single casts): the same key from the same user
 * returns what the first request made, so a retried submit never double-charges.
 */
export const clientKeySchema = z.string().trim().min(8).max(100).regex(/^[A-Za-z0-9_-]+$/, "letters, digits, _ and - only");

export const generationRequestSchema = z
  .object({
    prompt: z
      .string()
      .trim()
      .min(1, "Write a prompt")
      .max(MAX_PROMPT_LENGTH, `Prompts are at most ${MAX_PROMPT_LENGTH} characters`),
    params: generationParamsSchema.default({ size: "1024x1024" }),
    /** The browser's idempotency key: a retried submit returns the same session. */
    clientKey: clientKeySchema,
  })
  .strict();
export type GenerationRequest = z.input<typeof generationRequestSchema>;

export const imageOutputSchema = z.object({
  kind: z.literal("image"),
  /** Storage key of the PNG; served to its owner only. */
  storageKey: z.string(),
  contentType: z.literal("image/png"),
  bytes: z.number().int().nonnegative(),
  requestId: z.string().optional(),
});
export const textOutputSchema = z.object({
  kind: z.literal("text"),
  text: z.string(),
  requestId: z.string().optional(),
});
export const sessionOutputsSchema = z.discriminatedUnion("kind", [imageOutputSchema, textOutputSchema]);
export type SessionOutputs = z.infer<typeof sessionOutputsSchema>;

export const attemptLogEntrySchema = z.object({
  attempt: z.number().int(),
  at: z.string(),
  providerStatus: z.number().int().nullable(),
  message: z.string(),
  retryInMs: z.number().int().nullable(),
});
export type AttemptLogEntry = z.infer<typeof attemptLogEntrySchema>;

/**
 * A session as every reader sees it: the tRPC list/get outputs and the payload of every session
 * event are this one shape (dates as ISO strings), so a cache can be patched from an event alone.
 */
export const sessionSnapshotSchema = z.object({
  id: z.string().uuid(),
  tool: z.string(),
  status: sessionStatusSchema,
  prompt: z.string(),
  params: z.record(z.string(), z.unknown()),
  outputs: sessionOutputsSchema.nullable(),
  errorDetails: errorDetailsSchema.nullable(),
  cost: z.number().int(),
  /** The credit hold paying for it: lets logs follow one job from click to refund. */
  reservationId: z.string().uuid().nullable(),
  attempts: z.number().int(),
  maxAttempts: z.number().int(),
  attemptLog: z.array(attemptLogEntrySchema),
  castId: z.string().uuid().nullable(),
  stepIndex: z.number().int().nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  completedAt: z.string().nullable(),
  updatedAt: z.string(),
});
export type SessionSnapshot = z.infer<typeof sessionSnapshotSchema>;
