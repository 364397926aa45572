import { z } from "zod";

import { errorDetailsSchema } from "../sessions/error-details";
import { generationParamsSchema, MAX_PROMPT_LENGTH, sessionStatusSchema } from "../sessions/schema";
import { toolNameSchema } from "../spells/schema";

/** Most rows one bulk replay may act on (the filtered selection is cut here, oldest left out). */
export const MAX_BULK_REPLAY = 100;

export const deadLetterCursorSchema = z.object({ failedAt: z.iso.datetime({ offset: true }), id: z.string().uuid() }).strict();
export type DeadLetterCursor = z.infer<typeof deadLetterCursorSchema>;

/** The provider statuses a filter can name: a real HTTP status, or `null` for "none". */
export const MIN_PROVIDER_STATUS = 100;
export const MAX_PROVIDER_STATUS = 599;
const STATUS_MESSAGE = `Provider status is an HTTP status from ${MIN_PROVIDER_STATUS} to ${MAX_PROVIDER_STATUS} (e.g. 400, 502), or none`;

/**
 * Search over failed, not discarded sessions. Every field optional; text matches are
 * case-insensitive. A malformed field is refused, never dropped: a dropped field widens the
 * search, and a bulk replay of a widened search charges users who were never meant to be.
 */
export const deadLetterFilterSchema = z
  .object({
    /** Part of the owner's email. */
    email: z.string().trim().min(1, "Type part of the user's email, or leave it empty").max(254, "An email is at most 254 characters").optional(),
    /** The provider/tool that failed: one of the known tools, nothing else. */
    tool: z.enum(toolNameSchema.options, `Provider is one of ${toolNameSchema.options.join(", ")}`).optional(),
    /** The provider's HTTP status; `null` finds failures without one (timeouts, network). */
    providerStatus: z
      .number(STATUS_MESSAGE)
      .int(STATUS_MESSAGE)
      .min(MIN_PROVIDER_STATUS, STATUS_MESSAGE)
      .max(MAX_PROVIDER_STATUS, STATUS_MESSAGE)
      .nullable()
      .optional(),
    /** Part of the provider's message. */
    text: z.string().trim().min(1, "Type part of the message, or leave it empty").max(500, "The message search is at most 500 characters").optional(),
    /** Failed at or after / before (ISO timestamps). */
    from: z.iso.datetime({ offset: true, message: "“Failed after” is not a valid date and time" }).optional(),
    to: z.iso.datetime({ offset: true, message: "“Failed before” is not a valid date and time" }).optional(),
  })
  .strict()
  .refine((f) => !f.from || !f.to || Date.parse(f.from) <= Date.parse(f.to), {
    message: "“Failed after” must be earlier than “Failed before”",
    path: ["to"],
  });
export type DeadLetterFilter = z.infer<typeof deadLetterFilterSchema>;

/**
 * Which replay of a dead letter a request means: 1 for the first, n + 1 after n replays the admin
 * has seen. A repeat of the same attempt (double click, retry, second tab) returns that replay
 * and charges nothing; only a higher number is a new attempt.
 */
export const replayAttemptSchema = z.number("Say which replay attempt this is").int().min(1).max(1000);

/** What a bulk replay of a search would do, shown before the admin confirms. */
export const bulkReplayPreviewSchema = z.object({
  /** The rows it replays (never replayed, not spell steps), newest failure first, at most MAX_BULK_REPLAY. */
  ids: z.array(z.string().uuid()),
  /** Distinct users charged. */
  users: z.number().int(),
  /** Total credits held on those users' accounts, at today's prices. */
  credits: z.number().int(),
  /** Every row the search matches, replayable or not (can exceed `ids`). */
  matching: z.number().int(),
});
export type BulkReplayPreview = z.infer<typeof bulkReplayPreviewSchema>;

export const deadLetterReplaySchema = z.object({ id: z.string().uuid(), status: sessionStatusSchema, createdAt: z.string() });

export const deadLetterItemSchema = z.object({
  id: z.string().uuid(),
  userId: z.string(),
  userEmail: z.string(),
  tool: z.string(),
  prompt: z.string(),
  params: z.record(z.string(), z.unknown()),
  cost: z.number().int(),
  /** What a replay with the same parameters holds on the user's account (today's price). */
  replayCost: z.number().int(),
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
