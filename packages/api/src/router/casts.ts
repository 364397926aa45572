import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";

import { cancelCast, castRequestSchema, castSnapshotSchema, createCast, findCastRetry, getCast, listCasts, retryCast } from "@spellcast/core";
import type { CreateCastResult } from "@spellcast/core";

import type { Context } from "../context";

import { stopCanceledJob } from "../jobs/stop-canceled-job";
import { protectedProcedure } from "../trpc";

/** Enqueues a new cast's first step (none for a repeated clientKey) and logs it. */
async function startCast(ctx: Context, userId: string, { cast, jobs, created }: CreateCastResult, event: string, fields: Record<string, unknown> = {}) {
  if (!created) return cast;
  ctx.logger.info({ userId, castId: cast.id, spellId: cast.spellId, status: cast.status, jobs: jobs.length, ...fields }, event);
  for (const job of jobs) {
    try {
      await ctx.generationJobs.enqueue(job);
    } catch (err) {
      // The step session and its hold are committed: the sweeper re-enqueues queued sessions without a job.
      ctx.logger.error({ err, userId, castId: cast.id, sessionId: job.sessionId }, "cast.enqueue.failed");
    }
  }
  return cast;
}

const castCursorSchema = z.object({ createdAt: z.iso.datetime({ offset: true }), id: z.string().uuid() }).strict();

/** Single casts: a spell on one text or one of the caller's images, outside caption runs. */
export const castsRouter = {
  /**
   * Core writes the cast, its first step (session, hold, events) in one transaction; the step's
   * job is added after the commit (id `gen_<sessionId>`, so a repeat is a no-op). A repeated
   * clientKey returns the existing cast and enqueues nothing.
   */
  create: protectedProcedure
    .input(castRequestSchema)
    .output(castSnapshotSchema)
    .mutation(async ({ ctx, input }) => {
      const userId = ctx.caller.id;
      const result = await createCast(ctx.db, { userId, ...input }, ctx.generationConfig);
      return startCast(ctx, userId, result, "cast.created");
    }),

  /**
   * A failed single cast cast again as it was, in a new cast that carries over the steps the
   * failed one completed (only the failed step and those after it run and are charged); its
   * step's job is added after the commit, as `create` does. One retry per failed cast: asking
   * again returns it.
   */
  retry: protectedProcedure
    .input(z.object({ castId: z.string().uuid() }).strict())
    .output(castSnapshotSchema)
    .mutation(async ({ ctx, input }) => {
      const userId = ctx.caller.id;
      const result = await retryCast(ctx.db, { userId, castId: input.castId }, ctx.generationConfig);
      return startCast(ctx, userId, result, "cast.retried", { retryOf: input.castId, carriedFrom: result.cast.carriedFrom });
    }),

  /** The retry of one of the caller's casts, or null: a failed cast's page links to it rather than offer another. */
  retryOf: protectedProcedure
    .input(z.object({ castId: z.string().uuid() }).strict())
    .output(castSnapshotSchema.nullable())
    .query(({ ctx, input }) => findCastRetry(ctx.db, { userId: ctx.caller.id, castId: input.castId })),

  /** One of the caller's casts; another user's id is NOT_FOUND, like a missing one. */
  get: protectedProcedure
    .input(z.object({ castId: z.string().uuid() }).strict())
    .output(castSnapshotSchema)
    .query(({ ctx, input }) => getCast(ctx.db, { userId: ctx.caller.id, castId: input.castId })),

  /**
   * Core cancels the cast's open step first (hold released, cast `canceled`, events); then each
   * step it canceled has its queued job removed or its running call told to abort, as
   * `generations.cancel` does. A cast that already ended comes back unchanged; a caption run's
   * cast is BAD_REQUEST (cancel the run).
   */
  cancel: protectedProcedure
    .input(z.object({ id: z.string().uuid() }).strict())
    .output(castSnapshotSchema)
    .mutation(async ({ ctx, input }) => {
      const userId = ctx.caller.id;
      const { cast, canceled } = await cancelCast(ctx.db, { userId, castId: input.id });
      for (const { sessionId, previousStatus, jobId } of canceled) {
        await stopCanceledJob(ctx, { userId, castId: cast.id, sessionId, previousStatus, jobId });
      }
      ctx.logger.info({ userId, castId: cast.id, status: cast.status, stepsCanceled: canceled.length }, "cast.cancel");
      return cast;
    }),

  /** The caller's single casts, newest first (keyset on createdAt, id). */
  list: protectedProcedure
    .input(
      z
        .object({ limit: z.number().int().min(1).max(50).default(24), cursor: castCursorSchema.nullish(), direction: z.enum(["forward", "backward"]).optional() })
        .strict(),
    )
    .output(z.object({ items: z.array(castSnapshotSchema), nextCursor: castCursorSchema.nullable() }))
    .query(({ ctx, input }) => listCasts(ctx.db, { userId: ctx.caller.id, limit: input.limit, cursor: input.cursor ?? null })),
} satisfies TRPCRouterRecord;
