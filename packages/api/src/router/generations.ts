import type { TRPCRouterRecord } from "@trpc/server";

import {
  cancelSession,
  createGenerationSession,
  getSession,
  imageCostTable,
  imageSizeSchema,
  listSessions,
  sessionSnapshotSchema,
} from "@spellcast/core";
import { generationJobId } from "@spellcast/queue";

import { stopCanceledJob } from "../jobs/stop-canceled-job";
import { protectedProcedure, publicProcedure } from "../trpc";
import {
  generationsCreateInputSchema,
  generationsListInputSchema,
  generationsListOutputSchema,
  generationsPricingOutputSchema,
  sessionIdInputSchema,
} from "./generations.schema";

export const generationsRouter = {
  /**
   * Core writes the session, its credit hold and its event in one transaction; only then is the
   * job added (id `gen_<sessionId>`, so a repeat is a no-op). A repeated clientKey returns the
   * existing session and enqueues nothing.
   */
  create: protectedProcedure
    .input(generationsCreateInputSchema)
    .output(sessionSnapshotSchema)
    .mutation(async ({ ctx, input }) => {
      const userId = ctx.caller.id;
      const { session, created } = await createGenerationSession(ctx.db, userId, input, ctx.generationConfig);
      if (!created) return session;
      const ids = {
        userId,
        sessionId: session.id,
        jobId: generationJobId(session.id),
        reservationId: session.reservationId,
        cost: session.cost,
      };
      ctx.logger.info(ids, "session.created");
      // The session_created event was written in the same transaction; its NOTIFY went at commit.
      ctx.logger.info({ ...ids, type: "session_created" }, "event.emitted");
      try {
        await ctx.generationJobs.enqueue({ sessionId: session.id, userId, maxAttempts: session.maxAttempts });
      } catch (err) {
        // Redis is down or slow: the session and its hold are committed, so the user keeps it.
        // The worker's sweeper re-enqueues `queued` sessions that have no job (same job id).
        ctx.logger.error({ ...ids, err }, "session.enqueue.failed");
      }
      return session;
    }),

  /** The caller's single generations, newest first (keyset on createdAt, id). */
  list: protectedProcedure
    .input(generationsListInputSchema)
    .output(generationsListOutputSchema)
    .query(({ ctx, input }) =>
      listSessions(ctx.db, { userId: ctx.caller.id, limit: input.limit, cursor: input.cursor ?? null }),
    ),

  /** One of the caller's sessions; another user's id is NOT_FOUND, like a missing one. */
  get: protectedProcedure
    .input(sessionIdInputSchema)
    .output(sessionSnapshotSchema)
    .query(({ ctx, input }) => getSession(ctx.db, { userId: ctx.caller.id, sessionId: input.id })),

  /**
   * Core cancels and refunds first; then a queued job is removed, a running one is told to abort
   * (a provider answer that still arrives finds the session terminal and charges nothing).
   */
  cancel: protectedProcedure
    .input(sessionIdInputSchema)
    .output(sessionSnapshotSchema)
    .mutation(async ({ ctx, input }) => {
      const userId = ctx.caller.id;
      const { session, previousStatus, jobId } = await cancelSession(ctx.db, { userId, sessionId: input.id });
      await stopCanceledJob(ctx, { userId, sessionId: session.id, previousStatus, jobId });
      return session;
    }),

  /** Credits per image size, shown before submit. */
  pricing: publicProcedure.output(generationsPricingOutputSchema).query(() => ({
    sizes: imageSizeSchema.options.map((size) => ({ size, cost: imageCostTable[size] })),
    defaultSize: "1024x1024" as const,
  })),
} satisfies TRPCRouterRecord;
