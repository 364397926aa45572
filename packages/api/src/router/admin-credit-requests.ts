import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";

import {
  creditRequestSchema,
  declineCreditRequest,
  declineCreditRequestInputSchema,
  grantCreditRequest,
  grantCreditRequestInputSchema,
  listOpenCreditRequests,
  openCreditRequestSchema,
} from "@spellcast/core";

import { adminProcedure } from "../trpc";
import { accountSnapshotSchema } from "./credits";

/** The admins' queue of users' credit requests: see the open ones, grant or decline each once. */
export const adminCreditRequestsRouter = {
  /** Every user's open requests, oldest first. */
  list: adminProcedure.output(z.array(openCreditRequestSchema)).query(({ ctx }) => listOpenCreditRequests(ctx.db)),

  /** Grants an open request (its amount, or `amount`) through the ledger; decided already → CONFLICT. */
  grant: adminProcedure
    .input(grantCreditRequestInputSchema)
    .output(z.object({ request: creditRequestSchema, account: accountSnapshotSchema }))
    .mutation(async ({ ctx, input }) => {
      const result = await grantCreditRequest(ctx.db, { ...input, adminId: ctx.caller.id });
      ctx.logger.info(
        { requestId: result.request.id, adminId: ctx.caller.id, userId: result.userId, amount: result.request.grantedAmount, ledgerEntryId: result.entry.id },
        "admin.credit_request.granted",
      );
      return { request: result.request, account: result.account };
    }),

  /** Declines an open request with an optional note; decided already → CONFLICT. */
  decline: adminProcedure
    .input(declineCreditRequestInputSchema)
    .output(creditRequestSchema)
    .mutation(async ({ ctx, input }) => {
      const result = await declineCreditRequest(ctx.db, { ...input, adminId: ctx.caller.id });
      ctx.logger.info({ requestId: result.request.id, adminId: ctx.caller.id, userId: result.userId }, "admin.credit_request.declined");
      return result.request;
    }),
} satisfies TRPCRouterRecord;
