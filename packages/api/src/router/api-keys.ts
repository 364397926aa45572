import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";

import { apiKeyNameSchema, apiKeySummarySchema, createApiKey, listApiKeys, revokeApiKey } from "@spellcast/core";

import { protectedProcedure } from "../trpc";

export const apiKeysRouter = {
  list: protectedProcedure
    .output(z.array(apiKeySummarySchema))
    .query(({ ctx }) => listApiKeys(ctx.db, { userId: ctx.caller.id })),

  create: protectedProcedure
    .input(z.object({ name: apiKeyNameSchema }).strict())
    .output(z.object({ key: z.string(), apiKey: apiKeySummarySchema }))
    .mutation(async ({ ctx, input }) => {
      const created = await createApiKey(ctx.db, { userId: ctx.caller.id, name: input.name });
      ctx.logger.info({ userId: ctx.caller.id, apiKeyId: created.apiKey.id }, "api_key.created");
      return created;
    }),

  revoke: protectedProcedure
    .input(z.object({ id: z.string().uuid() }).strict())
    .output(apiKeySummarySchema)
    .mutation(async ({ ctx, input }) => {
      const revoked = await revokeApiKey(ctx.db, { userId: ctx.caller.id, id: input.id });
      ctx.logger.info({ userId: ctx.caller.id, apiKeyId: revoked.id }, "api_key.revoked");
      return revoked;
    }),
} satisfies TRPCRouterRecord;
