import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";

import {
  createCreditRequest,
  createCreditRequestInputSchema,
  creditRequestIdInputSchema,
  creditRequestSchema,
  listCreditRequests,
  withdrawCreditRequest,
} from "@spellcast/core";

import { protectedProcedure } from "../trpc";

/** The caller's own credit requests: ask the admins for credits, see the answers, withdraw. */
export const creditRequestsRouter = {
  /** The caller's requests, newest first (the last 20). */
  list: protectedProcedure.output(z.array(creditRequestSchema)).query(({ ctx }) => listCreditRequests(ctx.db, { userId: ctx.caller.id })),

  /** Asks for credits; refused (CONFLICT) while another of the caller's requests is open. */
  create: protectedProcedure
    .input(createCreditRequestInputSchema)
    .output(creditRequestSchema)
    .mutation(async ({ ctx, input }) => {
      const request = await createCreditRequest(ctx.db, { ...input, userId: ctx.caller.id });
      ctx.logger.info({ requestId: request.id, userId: ctx.caller.id, amount: request.amount }, "credits.request.created");
      return request;
    }),

  /** Takes back the caller's open request; a decided one → CONFLICT, someone else's → NOT_FOUND. */
  withdraw: protectedProcedure
    .input(creditRequestIdInputSchema)
    .output(creditRequestSchema)
    .mutation(async ({ ctx, input }) => {
      const request = await withdrawCreditRequest(ctx.db, { userId: ctx.caller.id, requestId: input.requestId });
      ctx.logger.info({ requestId: request.id, userId: ctx.caller.id }, "credits.request.withdrawn");
      return request;
    }),
} satisfies TRPCRouterRecord;
