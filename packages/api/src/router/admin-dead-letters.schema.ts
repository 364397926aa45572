import { z } from "zod";

import {
  bulkReplayPreviewSchema,
  deadLetterCursorSchema,
  deadLetterEditSchema,
  deadLetterFilterSchema,
  deadLetterItemSchema,
  MAX_BULK_REPLAY,
  replayAttemptSchema,
  sessionSnapshotSchema,
} from "@spellcast/core";

/** Input and output schemas of admin.deadLetters. Filters are refused when malformed, never widened. */

const idSchema = z.string().uuid("Not a dead letter id");
export const deadLetterIdInputSchema = z.object({ id: idSchema }).strict();

export const listDeadLettersInputSchema = z
  .object({
    filter: deadLetterFilterSchema.default({}),
    limit: z.number().int().min(1).max(100).default(25),
    cursor: deadLetterCursorSchema.nullish(),
    direction: z.enum(["forward", "backward"]).optional(),
  })
  .strict();
export const listDeadLettersOutputSchema = z.object({ items: z.array(deadLetterItemSchema), nextCursor: deadLetterCursorSchema.nullable() });

/** `attempt`: 1 + the replays the admin saw; a repeat of the same attempt charges nothing. */
export const replayInputSchema = z.object({ id: idSchema, attempt: replayAttemptSchema }).strict();
export const editAndReplayInputSchema = replayInputSchema.extend(deadLetterEditSchema.shape).strict();
export const replayOutputSchema = z.object({
  originalId: z.string().uuid(),
  session: sessionSnapshotSchema,
  created: z.boolean(),
  /** The replay's queue job, so the admin UI can link to it in Bull Board. */
  job: z.object({ queue: z.string(), id: z.string() }),
});

export const bulkReplayPreviewInputSchema = z
  .object({ filter: deadLetterFilterSchema, limit: z.number().int().min(1).max(MAX_BULK_REPLAY).default(MAX_BULK_REPLAY) })
  .strict();
export { bulkReplayPreviewSchema };

/** The filter the admin searched and the ids its preview showed: the replay acts on no others. */
export const bulkReplayInputSchema = z
  .object({
    filter: deadLetterFilterSchema,
    ids: z.array(idSchema).min(1, "Nothing to replay: preview the search first").max(MAX_BULK_REPLAY, `At most ${MAX_BULK_REPLAY} rows at once`),
  })
  .strict();
export const bulkReplayOutputSchema = z.object({
  /** Confirmed rows that still match the search and are still replayable. */
  selected: z.number().int(),
  created: z.number().int(),
  /** Confirmed rows left out: discarded, replayed meanwhile, or no longer matching. */
  skipped: z.number().int(),
  results: z.array(z.object({ originalId: z.string().uuid(), sessionId: z.string().uuid().nullable(), created: z.boolean(), error: z.string().nullable() })),
});
