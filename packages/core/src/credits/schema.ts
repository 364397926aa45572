import { z } from "zod";

import { DomainError } from "../errors";

/** Largest amount one operation may move: fits a Postgres `integer`. */
export const MAX_CREDIT_AMOUNT = 2 ** 31 - 1;

/** Whole credits, 1..2^31−1. Rejects 0, negatives, fractions, NaN, ±Infinity and non-numbers. */
export const creditAmountSchema = z.number().int().min(1).max(MAX_CREDIT_AMOUNT);

/** Text Postgres can store: no NUL character, no lone UTF-16 surrogate. */
export const storableText = (max: number) =>
  z
    .string()
    .max(max)
    .refine((s) => !/[\0\p{Cs}]/u.test(s), "Contains a NUL or an unpaired surrogate");

/** What credits move for. `id` is the session, cast, granting admin's request, etc. */
export const creditSubjectSchema = z.object({
  type: z.enum(["session", "cast", "admin_grant", "credit_request", "signup", "seed", "adjustment"]),
  id: storableText(200).pipe(z.string().min(1)),
});
export type CreditSubject = z.infer<typeof creditSubjectSchema>;

const userIdSchema = storableText(200).pipe(z.string().min(1));
const idempotencyKeySchema = storableText(200).pipe(z.string().min(1));

export const grantCreditsInputSchema = z.object({
  userId: userIdSchema,
  amount: creditAmountSchema,
  reason: storableText(500).pipe(z.string().trim().min(1)),
  subject: creditSubjectSchema,
  /** The admin who granted; omitted for system grants (signup, seed). */
  actorId: userIdSchema.optional(),
  key: idempotencyKeySchema,
});
export type GrantCreditsInput = z.infer<typeof grantCreditsInputSchema>;

export const reserveCreditsInputSchema = z.object({
  userId: userIdSchema,
  amount: creditAmountSchema,
  subject: creditSubjectSchema,
  key: idempotencyKeySchema,
  /** When the sweeper may release the hold; defaults to one hour from now. */
  expiresAt: z.date().optional(),
});
export type ReserveCreditsInput = z.infer<typeof reserveCreditsInputSchema>;

export const captureReservationInputSchema = z.object({
  reservationId: z.uuid(),
  /** When given, the reservation must belong to this user (else FORBIDDEN). */
  userId: userIdSchema.optional(),
  /** What the work actually cost, 0..reservation amount; the rest is released. */
  actualAmount: z.number().int().min(0).max(MAX_CREDIT_AMOUNT),
  reason: storableText(500).optional(),
});
export type CaptureReservationInput = z.infer<typeof captureReservationInputSchema>;

export const releaseReservationInputSchema = z.object({
  reservationId: z.uuid(),
  userId: userIdSchema.optional(),
  reason: storableText(500).optional(),
});
export type ReleaseReservationInput = z.infer<typeof releaseReservationInputSchema>;

export const accountInputSchema = z.object({ userId: userIdSchema });

export const listLedgerEntriesInputSchema = z.object({
  userId: userIdSchema,
  limit: z.number().int().min(1).max(100).default(20),
  /** The `nextCursor` of the previous page: entries with a smaller id come next. */
  cursor: z.number().int().positive().nullish(),
});
export type ListLedgerEntriesInput = z.input<typeof listLedgerEntriesInputSchema>;

export const listOpenHoldsInputSchema = z.object({
  userId: userIdSchema,
  limit: z.number().int().min(1).max(500).default(100),
});
export type ListOpenHoldsInput = z.input<typeof listOpenHoldsInputSchema>;

export const expireHoldsInputSchema = z.object({
  now: z.date(),
  /** At most this many holds per call; the sweeper calls again while it gets a full page. */
  limit: z.number().int().min(1).max(5000).default(500),
});
export type ExpireHoldsInput = z.input<typeof expireHoldsInputSchema>;

export const ledgerEntryKindSchema = z.enum(["grant", "reserve", "capture", "release", "adjust"]);
export type LedgerEntryKind = z.infer<typeof ledgerEntryKindSchema>;

/**
 * Payload of a `credits_changed` event: the account's figures after the change (a snapshot a
 * client can put straight into its cache) and the entries that moved them. Browser-safe.
 */
export const creditsChangedPayloadSchema = z.object({
  balance: z.number().int(),
  held: z.number().int(),
  available: z.number().int(),
  changes: z.array(
    z.object({
      entryId: z.number().int(),
      kind: ledgerEntryKindSchema,
      amount: z.number().int(),
      heldDelta: z.number().int(),
      reservationId: z.string().nullable(),
    }),
  ),
});
export type CreditsChangedPayload = z.infer<typeof creditsChangedPayloadSchema>;

/** Parses input or throws INVALID_INPUT with the flattened zod error (nothing has been written). */
export function parseCreditsInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    throw new DomainError("INVALID_INPUT", "Invalid credits input", { issues: z.flattenError(parsed.error) });
  }
  return parsed.data;
}
