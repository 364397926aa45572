import { z } from "zod";

import { storableText } from "./schema";

// Shapes of credit requests, shared by core, the API and the web forms (browser-safe: no db).

/** Most credits one request may ask for (and an admin grant on one). */
export const MAX_REQUEST_CREDITS = 100_000;
/** Longest reason or admin note, after trimming. */
export const REQUEST_TEXT_MAX = 500;

export const creditRequestAmountSchema = z
  .number({ error: "Enter a number of credits" })
  .int("Use a whole number of credits")
  .min(1, "At least 1 credit")
  .max(MAX_REQUEST_CREDITS, `At most ${MAX_REQUEST_CREDITS.toLocaleString("en")} credits per request`);

/** Optional free text: trimmed; empty, null or absent all mean none (stored as null). */
const optionalTextSchema = z
  .string()
  .trim()
  .max(REQUEST_TEXT_MAX, `Use at most ${REQUEST_TEXT_MAX} characters`)
  .pipe(storableText(REQUEST_TEXT_MAX))
  .nullish()
  .transform((text) => (text ? text : null));

export const createCreditRequestInputSchema = z
  .object({
    amount: creditRequestAmountSchema,
    /** Why the user needs them; shown to the admins. */
    reason: optionalTextSchema,
  })
  .strict();
export type CreateCreditRequestInput = z.input<typeof createCreditRequestInputSchema>;

export const creditRequestIdInputSchema = z.object({ requestId: z.uuid() }).strict();

export const grantCreditRequestInputSchema = z
  .object({
    requestId: z.uuid(),
    /** What to grant, when not what was asked for. */
    amount: creditRequestAmountSchema.optional(),
    /** Shown to the user with the request and in their credit history. */
    note: optionalTextSchema,
  })
  .strict();
export type GrantCreditRequestInput = z.input<typeof grantCreditRequestInputSchema>;

export const declineCreditRequestInputSchema = z
  .object({
    requestId: z.uuid(),
    /** Shown to the user with the request. */
    note: optionalTextSchema,
  })
  .strict();
export type DeclineCreditRequestInput = z.input<typeof declineCreditRequestInputSchema>;

export const creditRequestStatusSchema = z.enum(["open", "granted", "declined", "withdrawn"]);
export type CreditRequestStatus = z.infer<typeof creditRequestStatusSchema>;

/** A request as its owner sees it (who decided is left out). */
export const creditRequestSchema = z.object({
  id: z.string(),
  amount: z.number().int(),
  reason: z.string().nullable(),
  status: creditRequestStatusSchema,
  grantedAmount: z.number().int().nullable(),
  note: z.string().nullable(),
  createdAt: z.date(),
  closedAt: z.date().nullable(),
});
export type CreditRequestView = z.infer<typeof creditRequestSchema>;

/** An open request as the admins' queue shows it: who asks, and what they hold now. */
export const openCreditRequestSchema = z.object({
  id: z.string(),
  userId: z.string(),
  userEmail: z.string(),
  userName: z.string(),
  amount: z.number().int(),
  reason: z.string().nullable(),
  createdAt: z.date(),
  /** The user's balance now (0 when they have no account yet). */
  balance: z.number().int(),
});
export type OpenCreditRequest = z.infer<typeof openCreditRequestSchema>;

/**
 * Payload of a `credit_request_updated` event, written to the requester's log and to every
 * admin's. Only the id and status: an admin's log never carries another user's details (readers
 * fetch the list again, through procedures that check who is asking).
 */
export const creditRequestUpdatedPayloadSchema = z.object({ requestId: z.string(), status: creditRequestStatusSchema });
export type CreditRequestUpdatedPayload = z.infer<typeof creditRequestUpdatedPayloadSchema>;
