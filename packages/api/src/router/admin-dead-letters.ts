import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";

import type { ReplayResult } from "@spellcast/core";
import {
  deadLetterCursorSchema,
  deadLetterEditSchema,
  deadLetterFilterSchema,
  deadLetterItemSchema,
  discardDeadLetter,
  getDeadLetter,
  listDeadLetters,
  MAX_BULK_REPLAY,
  replayDeadLetter,
  selectDeadLetterIds,
  sessionSnapshotSchema,
} from "@spellcast/core";
import { generationJobId } from "@spellcast/queue";

import type { Context } from "../context";
import { adminProcedure } from "../trpc";

const idInput = z.object({ id: z.string().uuid() }).strict();
const replayOutput = z.object({ originalId: z.string().uuid(), session: sessionSnapshotSchema, created: z.boolean() });

/** Enqueues a new replay like generations.create does (job id from the session: a repeat is a no-op). */
async function enqueueReplay(ctx: Context & { caller: { id: string } }, result: ReplayResult, action: string) {
  const ids = { adminId: ctx.caller.id, userId: result.original.userId, originalId: result.original.id, sessionId: result.session.id };
  ctx.logger.info({ ...ids, created: result.created, cost: result.session.cost }, action);
  if (!result.created) return;
  try {
    await ctx.generationJobs.enqueue({ sessionId: result.session.id, userId: result.original.userId, maxAttempts: result.session.maxAttempts });
  } catch (err) {
    // Committed with its hold: the sweeper re-enqueues queued sessions without a job.
    ctx.logger.error({ ...ids, jobId: generationJobId(result.session.id), err }, "dead_letter.enqueue.failed");
  }
}

const toOutput = (r: ReplayResult) => ({ originalId: r.original.id, session: r.session, created: r.created });

export const adminDeadLettersRouter = {
  /** Failed, not discarded sessions of every user, newest failure first, filtered and keyset-paginated. */
  list: adminProcedure
    .input(
      z
        .object({
          filter: deadLetterFilterSchema.default({}),
          limit: z.number().int().min(1).max(100).default(25),
          cursor: deadLetterCursorSchema.nullish(),
          direction: z.enum(["forward", "backward"]).optional(),
        })
        .strict(),
    )
    .output(z.object({ items: z.array(deadLetterItemSchema), nextCursor: deadLetterCursorSchema.nullable() }))
    .query(({ ctx, input }) => listDeadLetters(ctx.db, { filter: input.filter, limit: input.limit, cursor: input.cursor ?? null })),

  get: adminProcedure
    .input(idInput)
    .output(deadLetterItemSchema.extend({ discardedAt: z.string().nullable() }))
    .query(({ ctx, input }) => getDeadLetter(ctx.db, input.id)),

  /** A new session for the same user with the same prompt and parameters, charged anew; linked by replay_of. */
  replay: adminProcedure
    .input(idInput)
    .output(replayOutput)
    .mutation(async ({ ctx, input }) => {
      const result = await replayDeadLetter(ctx.db, { sessionId: input.id, adminId: ctx.caller.id, options: ctx.generationConfig });
      await enqueueReplay(ctx, result, "dead_letter.replayed");
      return toOutput(result);
    }),

  /** Replay with a changed prompt / parameters, validated as on submit. */
  editAndReplay: adminProcedure
    .input(idInput.extend(deadLetterEditSchema.shape).strict())
    .output(replayOutput)
    .mutation(async ({ ctx, input }) => {
      const { id, ...edit } = input;
      const result = await replayDeadLetter(ctx.db, { sessionId: id, adminId: ctx.caller.id, edit, options: ctx.generationConfig });
      await enqueueReplay(ctx, result, "dead_letter.edit_replayed");
      return toOutput(result);
    }),

  /** Hides the row from the list (kept, with the admin and the time). */
  discard: adminProcedure
    .input(idInput)
    .output(z.object({ id: z.string().uuid(), discarded: z.boolean() }))
    .mutation(async ({ ctx, input }) => {
      const result = await discardDeadLetter(ctx.db, { sessionId: input.id, adminId: ctx.caller.id });
      ctx.logger.info({ adminId: ctx.caller.id, sessionId: input.id, discarded: result.discarded }, "dead_letter.discarded");
      return result;
    }),

  /**
   * Replays the filtered selection, at most `limit` (≤ 100) rows, newest first. Idempotent: a row
   * whose replay is queued, running or completed is reported, not replayed again.
   */
  bulkReplay: adminProcedure
    .input(z.object({ filter: deadLetterFilterSchema, limit: z.number().int().min(1).max(MAX_BULK_REPLAY).default(MAX_BULK_REPLAY) }).strict())
    .output(
      z.object({
        selected: z.number().int(),
        created: z.number().int(),
        results: z.array(z.object({ originalId: z.string().uuid(), sessionId: z.string().uuid().nullable(), created: z.boolean(), error: z.string().nullable() })),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const ids = await selectDeadLetterIds(ctx.db, input.filter, input.limit);
      const results = [];
      for (const id of ids) {
        try {
          const result = await replayDeadLetter(ctx.db, { sessionId: id, adminId: ctx.caller.id, options: ctx.generationConfig });
          await enqueueReplay(ctx, result, "dead_letter.replayed");
          results.push({ originalId: id, sessionId: result.session.id, created: result.created, error: null });
        } catch (err) {
          // One user out of credits must not stop the rest: report it per row.
          const message = err instanceof Error ? err.message : String(err);
          results.push({ originalId: id, sessionId: null, created: false, error: message });
        }
      }
      const created = results.filter((r) => r.created).length;
      ctx.logger.info({ adminId: ctx.caller.id, selected: ids.length, created, filter: input.filter }, "dead_letter.bulk_replayed");
      return { selected: ids.length, created, results };
    }),
} satisfies TRPCRouterRecord;
