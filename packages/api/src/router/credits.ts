import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";

import { describeLedgerSubjects, getBalance, ledgerEntryKindSchema, ledgerSubjectSchema, listLedgerEntries, listOpenHolds } from "@spellcast/core";

import type { Database } from "@spellcast/db";

import { protectedProcedure } from "../trpc";
import { creditRequestsRouter } from "./credit-requests";

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
  /** What a generation session paid for (a plain generation, a cast's step, a caption run's step); null for other subjects. */
  subject: ledgerSubjectSchema.nullable().default(null),
  /** Who caused it when not the owner (the granting admin). */
  actorId: z.string().nullable(),
  createdAt: z.date(),
});

export const creditHoldOutputSchema = z.object({
  id: z.string(),
  amount: z.number().int(),
  subjectType: z.string(),
  subjectId: z.string(),
  subject: ledgerSubjectSchema.nullable(),
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
    .query(async ({ ctx, input }) => {
      const page = await listLedgerEntries(ctx.db, { userId: ctx.caller.id, limit: input.limit, cursor: input.cursor });
      return { ...page, items: await withSubjects(ctx.db, ctx.caller.id, page.items) };
    }),

  /** The caller's open reservations, newest first. */
  holds: protectedProcedure
    .output(z.array(creditHoldOutputSchema))
    .query(async ({ ctx }) => withSubjects(ctx.db, ctx.caller.id, await listOpenHolds(ctx.db, { userId: ctx.caller.id }))),

  /** Asking the admins for credits (there is no payment provider). */
  requests: creditRequestsRouter,
} satisfies TRPCRouterRecord;

/** Each entry with what it paid for, read for the whole page at once. */
async function withSubjects<T extends { subjectType: string; subjectId: string }>(db: Database, userId: string, entries: T[]) {
  const subjects = await describeLedgerSubjects(db, { userId, entries });
  return entries.map((e) => ({ ...e, subject: subjects.get(e.subjectId) ?? null }));
}
