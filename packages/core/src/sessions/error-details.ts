import { z } from "zod";

/** error_details of a failed session: what the UI shows and what an engineer needs. */
export const errorDetailsSchema = z.object({
  providerStatus: z.number().int().nullable(),
  providerMessage: z.string(),
  /** Raw provider body, trimmed to ≤ 2 KB. */
  providerBody: z.string().nullable(),
  requestId: z.string().nullable(),
  /** Why it ended when not a provider answer: timeout, network, stuck, invalid_payload… */
  reason: z.string(),
  attempts: z.number().int(),
  maxAttempts: z.number().int(),
  fatal: z.boolean(),
  firstFailedAt: z.string().nullable(),
  failedAt: z.string(),
  reservationAmount: z.number().int(),
  refundedCredits: z.number().int(),
  refundedAt: z.string().nullable(),
  refundError: z.string().nullable(),
});
export type ErrorDetails = z.infer<typeof errorDetailsSchema>;

/** What the failure handler knows about the last failure, before the refund is made. */
export const sessionFailureSchema = z.object({
  providerStatus: z.number().int().nullable(),
  providerMessage: z.string().min(1),
  providerBody: z.string().nullable(),
  requestId: z.string().nullable(),
  reason: z.string().min(1),
  attempts: z.number().int().min(0),
  fatal: z.boolean(),
});
export type SessionFailure = z.infer<typeof sessionFailureSchema>;

const MAX_BODY_BYTES = 2048;

/** Trims at a character boundary so the stored body is valid text of at most 2 KB. */
export function trimBody(body: string | null): string | null {
  if (body === null) return null;
  const bytes = Buffer.from(body, "utf8");
  if (bytes.length <= MAX_BODY_BYTES) return body;
  return bytes.subarray(0, MAX_BODY_BYTES).toString("utf8").replace(/\uFFFD+$/, "");
}

/** Request ids help engineers, not people: the UI shows the message without them. */
export function stripRequestIds(message: string): string {
  return message
    .replace(/\s*\(?\s*request[ _-]?id[:=]?\s*[A-Za-z0-9._:-]+\s*\)?\.?/gi, "")
    .trim();
}
