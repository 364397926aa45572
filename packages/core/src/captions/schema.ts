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
