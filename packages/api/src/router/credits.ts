import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";

import { getBalance, ledgerEntryKindSchema, listLedgerEntries, listOpenHolds } from "@spellcast/core";

import { protectedProcedure } from "../trpc";

export const accountSnapshotSchema = z.object({
  balance: z.number().int(),
  held: z.number().int(),
  available: z.number().int(),
});

/** One ledger entry as its owner sees it (no idempotency key, no user id). */
export const ledgerEntryOutputSchema = z.object({
  id: z.number().int(),
  kind: ledgerEntryKindSchema,
  /** Change to the balance: + for grants, − for captures, 0 for holds and releases. */
  amount: z.number().int(),
  /** Change to what is held. */
  heldDelta: z.number().int(),
  balanceAfter: z.number().int(),
  heldAfter: z.number().int(),
  reason: z.string().nullable(),
  subjectType: z.string(),
  subjectId: z.string(),
  /** Who caused it when not the owner (the granting admin). */
  actorId: z.string().nullable(),
  createdAt: z.date(),
});

export const creditHoldOutputSchema = z.object({
  id: z.string(),
  amount: z.number().int(),
  subjectType: z.string(),
  subjectId: z.string(),
  createdAt: z.date(),
  expiresAt: z.date(),
});

export const creditsHistoryInputSchema = z
  .object({
    limit: z.number().int().min(1).max(100).default(20),
    /** `nextCursor` of the previous page. */
    cursor: z.number().int().positive().nullish(),
    /** Sent by tRPC's infinite queries; pages only go towards older entries. */
    direction: z.literal("forward").optional(),
  })
  .strict();

export const creditsRouter = {
  balance: protectedProcedure
    .output(accountSnapshotSchema)
    .query(({ ctx }) => getBalance(ctx.db, { userId: ctx.caller.id })),

  /** The caller's ledger, newest first, by keyset on the entry id. */
  history: protectedProcedure
    .input(creditsHistoryInputSchema)
    .output(z.object({ items: z.array(ledgerEntryOutputSchema), nextCursor: z.number().int().nullable() }))
    .query(({ ctx, input }) =>
      listLedgerEntries(ctx.db, { userId: ctx.caller.id, limit: input.limit, cursor: input.cursor }),
    ),

  /** The caller's open reservations, newest first. */
  holds: protectedProcedure
    .output(z.array(creditHoldOutputSchema))
    .query(({ ctx }) => listOpenHolds(ctx.db, { userId: ctx.caller.id })),
} satisfies TRPCRouterRecord;
