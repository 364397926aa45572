import { z } from "zod";

export const captionSetStatusSchema = z.enum(["in_progress", "paused", "completed", "completed_with_errors", "canceled"]);
export type CaptionSetStatus = z.infer<typeof captionSetStatusSchema>;
export const captionStatusSchema = z.enum(["pending", "done", "failed"]);

/** The set as every reader sees it; each caption-set event carries this shape. */
export const captionSetSnapshotSchema = z.object({
  id: z.string().uuid(),
  datasetId: z.string().uuid(),
  spellId: z.string().uuid(),
  status: captionSetStatusSchema,
  total: z.number().int(),
  done: z.number().int(),
  failed: z.number().int(),
  budget: z.number().int().nullable(),
  spent: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
  completedAt: z.string().nullable(),
});
export type CaptionSetSnapshot = z.infer<typeof captionSetSnapshotSchema>;

/**
 * Why a failed caption's cast stopped, as its row shows it: the step, the provider's message and
 * the failed step's refund (the cast's page has the whole error details).
 */
export const captionFailureSchema = z.object({
  /** 0-based index of the step that failed. */
  step: z.number().int(),
  tool: z.string().nullable(),
  message: z.string(),
  refundedCredits: z.number().int(),
  /** The refund did not go through yet (the sweeper retries it). */
  refundPending: z.boolean(),
});
export type CaptionFailure = z.infer<typeof captionFailureSchema>;

export const captionSnapshotSchema = z.object({
  id: z.string().uuid(),
  captionSetId: z.string().uuid(),
  /** Null once the image was removed from its dataset: the caption and its file name stay. */
  imageId: z.string().uuid().nullable(),
  imageIndex: z.number().int(),
  fileName: z.string(),
  status: captionStatusSchema,
  text: z.string().nullable(),
  castId: z.string().uuid().nullable(),
  /** Every credit this image's casts kept: a failed cast's completed steps count, and so does its re-run. */
  creditsCharged: z.number().int(),
  /** Set when `status` is `failed`. */
  failure: captionFailureSchema.nullable(),
  updatedAt: z.string(),
});
export type CaptionSnapshot = z.infer<typeof captionSnapshotSchema>;

/** `caption_updated` payload: the caption and its set's counters after the change. */
export const captionEventPayloadSchema = z.object({ caption: captionSnapshotSchema, set: captionSetSnapshotSchema });
export const captionSetEventPayloadSchema = z.object({ set: captionSetSnapshotSchema });

/** What re-running a set's failed captions would cast and charge (`estimateRerun`). */
export const rerunEstimateSchema = z.object({
  /** Failed captions whose image is still in the dataset: each gets a new cast. */
  images: z.number().int().min(0),
  /** How many of those carry over steps their failed cast completed, and do not run them again. */
  carriedOver: z.number().int().min(0),
  credits: z.number().int().min(0),
});
export type RerunEstimate = z.infer<typeof rerunEstimateSchema>;

export const captionFindSchema = z.string().min(1, "Find what?").max(1000);
export const captionReplacementSchema = z.string().max(1000);
export const triggerWordSchema = z.string().trim().min(1, "Give a trigger word").max(100);

/**
 * One change to every finished caption of a set: a find-and-replace, or a trigger word put in
 * front (`word, caption`) of those that don't start with it. The preview and the edit read this.
 */
export const bulkCaptionEditSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("replace"), find: captionFindSchema, replace: captionReplacementSchema }).strict(),
  z.object({ kind: z.literal("prefix"), word: triggerWordSchema }).strict(),
]);
export type BulkCaptionEdit = z.infer<typeof bulkCaptionEditSchema>;

/** What a bulk edit would do, before it is applied: counts and the first captions it changes. */
export const bulkCaptionEditPreviewSchema = z.object({
  /** Finished captions the edit looks at (pending and failed ones are never edited). */
  finished: z.number().int(),
  changed: z.number().int(),
  examples: z.array(z.object({ captionId: z.string().uuid(), fileName: z.string(), before: z.string(), after: z.string() })),
});
export type BulkCaptionEditPreview = z.infer<typeof bulkCaptionEditPreviewSchema>;
