import { z } from "zod";

/** Shapes shared by the tRPC router, the upload route and the typed client. */
export const datasetNameSchema = z
  .string()
  .trim()
  .min(1, "Name the dataset")
  .max(80, "Use at most 80 characters")
  // eslint-disable-next-line no-control-regex
  .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), "The name cannot contain control characters");

export const datasetSummarySchema = z.object({
  id: z.string().uuid(),
  name: z.string(),
  imageCount: z.number().int(),
  createdAt: z.date(),
  updatedAt: z.date(),
});
export type DatasetSummary = z.infer<typeof datasetSummarySchema>;

export const datasetImageSchema = z.object({
  id: z.string().uuid(),
  datasetId: z.string().uuid(),
  imageIndex: z.number().int(),
  fileName: z.string(),
  contentType: z.string(),
  bytes: z.number().int(),
  width: z.number().int(),
  height: z.number().int(),
  sha256: z.string(),
  createdAt: z.date(),
});
export type DatasetImage = z.infer<typeof datasetImageSchema>;

export const imageVariantSchema = z.enum(["original", "thumb"]);
export type ImageVariant = z.infer<typeof imageVariantSchema>;

export const uploadRejectionSchema = z.object({ name: z.string(), reason: z.string() });
export type UploadRejection = z.infer<typeof uploadRejectionSchema>;

/** What an upload answers, over tRPC or HTTP: every file is either added or rejected with its reason. */
export const uploadResultSchema = z.object({
  added: z.array(datasetImageSchema),
  rejected: z.array(uploadRejectionSchema),
});
export type UploadResult = z.infer<typeof uploadResultSchema>;

export interface DatasetLimits {
  /** Largest accepted file, in bytes (web: MAX_UPLOAD_BYTES, default 20 MB). */
  maxUploadBytes: number;
  /** Most images one dataset may hold (web: MAX_DATASET_IMAGES, default 5,000). */
  maxImages: number;
}

/** Most places one reservation takes (`reserveImageIndexes`): twice the default image limit; files past the limit are refused anyway. */
export const MAX_PLACES_PER_RESERVATION = 10_000;

const PLACE_COUNT_RULE = `count: a whole number of images from 1 to ${MAX_PLACES_PER_RESERVATION}`;
/** How many places one reservation asks for: the router's input and core's own check, in the same words. */
export const placeCountSchema = z
  .number({ error: PLACE_COUNT_RULE })
  .int({ error: PLACE_COUNT_RULE })
  .min(1, { error: PLACE_COUNT_RULE })
  .max(MAX_PLACES_PER_RESERVATION, { error: PLACE_COUNT_RULE });

export const DEFAULT_DATASET_LIMITS: DatasetLimits = { maxUploadBytes: 20 * 1024 * 1024, maxImages: 5_000 };

/** "20 MB", "1.5 MB", "900 KB": sizes in rejection messages. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${Number((bytes / (1024 * 1024)).toFixed(1))} MB`;
  if (bytes >= 1024) return `${Number((bytes / 1024).toFixed(1))} KB`;
  return `${bytes} bytes`;
}
