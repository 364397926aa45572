import { z } from "zod";

import { errorDetailsSchema } from "../sessions/error-details";
import { generationParamsSchema, MAX_PROMPT_LENGTH, sessionStatusSchema } from "../sessions/schema";

/** Most rows one bulk replay may act on (the filtered selection is cut here, oldest left out). */
export const MAX_BULK_REPLAY = 100;

export const deadLetterCursorSchema = z.object({ failedAt: z.iso.datetime({ offset: true }), id: z.string().uuid() }).strict();
export type DeadLetterCursor = z.infer<typeof deadLetterCursorSchema>;

/** Search over failed, not discarded sessions. Every field optional; text matches are case-insensitive. */
export const deadLetterFilterSchema = z
  .object({
    /** Part of the owner's email. */
    email: z.string().trim().min(1).max(254).optional(),
    /** The provider/tool (`seedream`, `joycaption`, `chatgpt`…). */
    tool: z.string().trim().min(1).max(50).optional(),
    /** The provider's HTTP status; `null` finds failures without one (timeouts, network). */
    providerStatus: z.number().int().min(100).max(599).nullable().optional(),
    /** Part of the provider's message. */
    text: z.string().trim().min(1).max(500).optional(),
    /** Failed at or after / before (ISO timestamps). */
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
  })
  .strict();
export type DeadLetterFilter = z.infer<typeof deadLetterFilterSchema>;

export const deadLetterReplaySchema = z.object({ id: z.string().uuid(), status: sessionStatusSchema, createdAt: z.string() });

export const deadLetterItemSchema = z.object({
  id: z.string().uuid(),
  userId: z.string(),
  userEmail: z.string(),
  tool: z.string(),
  prompt: z.string(),
  params: z.record(z.string(), z.unknown()),
  cost: z.number().int(),
  errorDetails: errorDetailsSchema,
  failedAt: z.string(),
  createdAt: z.string(),
  replayOf: z.string().uuid().nullable(),
  /** Spell steps are listed but replayed through their cast, not here. */
  castId: z.string().uuid().nullable(),
  replays: z.array(deadLetterReplaySchema),
});
export type DeadLetterItem = z.infer<typeof deadLetterItemSchema>;

/** Edit-and-replay: the prompt and parameters, validated as on submit. */
export const deadLetterEditSchema = z
  .object({
    prompt: z.string().trim().min(1, "Write a prompt").max(MAX_PROMPT_LENGTH),
    params: generationParamsSchema,
  })
  .strict();
export type DeadLetterEdit = z.input<typeof deadLetterEditSchema>;
