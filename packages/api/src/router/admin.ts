import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";

import { creditAmountSchema, grantCreditsAsAdmin } from "@spellcast/core";

import { adminProcedure } from "../trpc";
import { adminCreditRequestsRouter } from "./admin-credit-requests";
import { adminDeadLettersRouter } from "./admin-dead-letters";
import { accountSnapshotSchema, ledgerEntryOutputSchema } from "./credits";

export const adminGrantInputSchema = z
  .object({
    /** The recipient by email… */
    email: z.email().max(254).optional(),
    /** …or by user id (exactly one of the two). */
    userId: z.string().min(1).max(200).optional(),
    amount: creditAmountSchema,
    reason: z.string().trim().min(1, "Say what the credits are for").max(500),
    /** The admin's request id: retrying with the same key grants once. */
    idempotencyKey: z.string().min(1).max(128),
  })
  .strict()
  .transform(({ email, userId, ...rest }, ctx) => {
    if (email !== undefined && userId === undefined) return { ...rest, recipient: { email } };
    if (userId !== undefined && email === undefined) return { ...rest, recipient: { userId } };
    ctx.addIssue({ code: "custom", message: "Give either the recipient's email or their user id", path: ["email"] });
    return z.NEVER;
  });

export const adminRouter = {
  deadLetters: adminDeadLettersRouter,
  creditRequests: adminCreditRequestsRouter,
  credits: {
    /** Grants credits to any user, recorded with the admin's id; unknown user → NOT_FOUND. */
    grant: adminProcedure
      .input(adminGrantInputSchema)
      .output(
        z.object({
          recipient: z.object({ id: z.string(), email: z.string() }),
          entry: ledgerEntryOutputSchema,
          account: accountSnapshotSchema,
          replayed: z.boolean(),
        }),
      )
      .mutation(async ({ ctx, input }) => {
        const result = await grantCreditsAsAdmin(ctx.db, { ...input, actorId: ctx.caller.id });
        ctx.logger.info(
          { adminId: ctx.caller.id, userId: result.recipient.id, amount: input.amount, replayed: result.replayed },
          "admin.credits.granted",
        );
        return result;
      }),
  },
} satisfies TRPCRouterRecord;
