import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";

import type { ReplayResult } from "@spellcast/core";
import {
  deadLetterItemSchema,
  discardDeadLetter,
  getDeadLetter,
  isDomainError,
  listDeadLetters,
  previewBulkReplay,
  replayDeadLetter,
  selectBulkReplayIds,
} from "@spellcast/core";
import { generationJobId, QueueName } from "@spellcast/queue";

import type { Context } from "../context";
import { adminProcedure } from "../trpc";
import {
  bulkReplayInputSchema,
  bulkReplayOutputSchema,
  bulkReplayPreviewInputSchema,
  bulkReplayPreviewSchema,
  deadLetterIdInputSchema,
  editAndReplayInputSchema,
  listDeadLettersInputSchema,
  listDeadLettersOutputSchema,
  replayInputSchema,
  replayOutputSchema,
} from "./admin-dead-letters.schema";

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

const toOutput = (r: ReplayResult) => ({
  originalId: r.original.id,
  session: r.session,
  created: r.created,
  job: { queue: QueueName.generation, id: generationJobId(r.session.id) },
});

export const adminDeadLettersRouter = {
  /** Failed, not discarded sessions of every user, newest failure first, filtered and keyset-paginated. */
  list: adminProcedure
    .input(listDeadLettersInputSchema)
    .output(listDeadLettersOutputSchema)
    .query(({ ctx, input }) => listDeadLetters(ctx.db, { filter: input.filter, limit: input.limit, cursor: input.cursor ?? null })),

  get: adminProcedure
    .input(deadLetterIdInputSchema)
    .output(deadLetterItemSchema.extend({ discardedAt: z.string().nullable() }))
    .query(({ ctx, input }) => getDeadLetter(ctx.db, input.id)),

  /** A new session for the same user with the same prompt and parameters, charged anew; linked by replay_of. */
  replay: adminProcedure
    .input(replayInputSchema)
    .output(replayOutputSchema)
    .mutation(async ({ ctx, input }) => {
      const result = await replayDeadLetter(ctx.db, { sessionId: input.id, attempt: input.attempt, adminId: ctx.caller.id, options: ctx.generationConfig });
      await enqueueReplay(ctx, result, "dead_letter.replayed");
      return toOutput(result);
    }),

  /** Replay with a changed prompt / parameters, validated as on submit. */
  editAndReplay: adminProcedure
    .input(editAndReplayInputSchema)
    .output(replayOutputSchema)
    .mutation(async ({ ctx, input }) => {
      const { id, attempt, ...edit } = input;
      const result = await replayDeadLetter(ctx.db, { sessionId: id, attempt, adminId: ctx.caller.id, edit, options: ctx.generationConfig });
      await enqueueReplay(ctx, result, "dead_letter.edit_replayed");
      return toOutput(result);
    }),

  /** Hides the row from the list (kept, with the admin and the time). */
  discard: adminProcedure
    .input(deadLetterIdInputSchema)
    .output(z.object({ id: z.string().uuid(), discarded: z.boolean() }))
    .mutation(async ({ ctx, input }) => {
      const result = await discardDeadLetter(ctx.db, { sessionId: input.id, adminId: ctx.caller.id });
      ctx.logger.info({ adminId: ctx.caller.id, sessionId: input.id, discarded: result.discarded }, "dead_letter.discarded");
      return result;
    }),

  /** What bulkReplay of this search would do: the rows, the users and the credits it charges. */
  bulkReplayPreview: adminProcedure
    .input(bulkReplayPreviewInputSchema)
    .output(bulkReplayPreviewSchema)
    .query(({ ctx, input }) => previewBulkReplay(ctx.db, input.filter, input.limit)),

  /**
   * Replays the rows the admin confirmed from a preview, those still matching the search and never
   * replayed; new failures that match meanwhile are not added. Idempotent: each row is attempt 1.
   */
  bulkReplay: adminProcedure
    .input(bulkReplayInputSchema)
    .output(bulkReplayOutputSchema)
    .mutation(async ({ ctx, input }) => {
      const ids = await selectBulkReplayIds(ctx.db, { filter: input.filter, ids: input.ids });
      const results = [];
      for (const id of ids) {
        try {
          const result = await replayDeadLetter(ctx.db, { sessionId: id, attempt: 1, adminId: ctx.caller.id, options: ctx.generationConfig });
          await enqueueReplay(ctx, result, "dead_letter.replayed");
          results.push({ originalId: id, sessionId: result.session.id, created: result.created, error: null });
        } catch (err) {
          // One user out of credits must not stop the rest: report it per row (domain words only).
          if (!isDomainError(err)) ctx.logger.error({ adminId: ctx.caller.id, originalId: id, err }, "dead_letter.bulk_replay.failed");
          results.push({ originalId: id, sessionId: null, created: false, error: isDomainError(err) ? err.message : "Something went wrong on our side" });
        }
      }
      const created = results.filter((r) => r.created).length;
      const skipped = new Set(input.ids).size - ids.length;
      ctx.logger.info({ adminId: ctx.caller.id, confirmed: input.ids.length, selected: ids.length, created, filter: input.filter }, "dead_letter.bulk_replayed");
      return { selected: ids.length, created, skipped, results };
    }),
} satisfies TRPCRouterRecord;
