import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";

import {
  applyBulkCaptionEdit,
  bulkCaptionEditPreviewSchema,
  bulkCaptionEditSchema,
  cancelCaptionSet,
  captionFindSchema,
  captionReplacementSchema,
  editCaption,
  listCaptionVersions,
  previewBulkCaptionEdit,
  revertCaption,
  captionSetSnapshotSchema,
  captionSnapshotSchema,
  estimateCaptionRun,
  estimateRerun,
  getCaptionSet,
  listCaptionSets,
  raiseCaptionBudget,
  rerunEstimateSchema,
  rerunFailedCaptions,
  resumeCaptionSet,
  startCaptionRun,
  triggerWordSchema,
} from "@spellcast/core";
import type { EnqueueSteps, RunOptions } from "@spellcast/core";

import type { Context } from "../context";
import { stopCanceledJob } from "../jobs/stop-canceled-job";
import { protectedProcedure } from "../trpc";

const setIdSchema = z.object({ setId: z.string().uuid() }).strict();
const runInputSchema = z.object({ datasetId: z.string().uuid(), spellId: z.string().uuid() }).strict();
const budgetSchema = z.number().int().min(1).max(2_000_000_000);

function runDeps(ctx: Context): { options: RunOptions; enqueue: EnqueueSteps } {
  return {
    options: ctx.generationConfig,
    // After each batch commits: job id gen_<sessionId>, so a repeat (or the sweeper) is a no-op.
    enqueue: (jobs) => ctx.generationJobs.enqueueMany(jobs),
  };
}

/** Caption runs over a dataset: estimate, start, watch, resume, re-run failed, cap, cancel. */
export const captionsRouter = {
  estimate: protectedProcedure
    .input(runInputSchema)
    .output(z.object({ images: z.number().int(), perImage: z.number().int(), total: z.number().int(), steps: z.array(z.object({ tool: z.string(), cost: z.number().int() })) }))
    .query(({ ctx, input }) => estimateCaptionRun(ctx.db, { userId: ctx.caller.id, ...input })),

  start: protectedProcedure
    .input(runInputSchema.extend({ budget: budgetSchema.nullish() }).strict())
    .output(captionSetSnapshotSchema)
    .mutation(async ({ ctx, input }) => {
      const { options, enqueue } = runDeps(ctx);
      const set = await startCaptionRun(ctx.db, { userId: ctx.caller.id, ...input }, options, enqueue);
      ctx.logger.info({ userId: ctx.caller.id, setId: set.id, datasetId: input.datasetId, spellId: input.spellId, total: set.total }, "captions.started");
      return set;
    }),

  get: protectedProcedure
    .input(setIdSchema)
    .output(z.object({ set: captionSetSnapshotSchema, captions: z.array(captionSnapshotSchema) }))
    .query(({ ctx, input }) => getCaptionSet(ctx.db, { userId: ctx.caller.id, setId: input.setId })),

  list: protectedProcedure
    .input(z.object({ datasetId: z.string().uuid() }).strict())
    .output(z.array(captionSetSnapshotSchema))
    .query(({ ctx, input }) => listCaptionSets(ctx.db, { userId: ctx.caller.id, datasetId: input.datasetId })),

  resume: protectedProcedure
    .input(setIdSchema)
    .output(captionSetSnapshotSchema)
    .mutation(({ ctx, input }) => {
      const { options, enqueue } = runDeps(ctx);
      return resumeCaptionSet(ctx.db, { userId: ctx.caller.id, setId: input.setId }, options, enqueue);
    }),

  rerunEstimate: protectedProcedure
    .input(setIdSchema)
    .output(rerunEstimateSchema)
    .query(({ ctx, input }) => estimateRerun(ctx.db, { userId: ctx.caller.id, setId: input.setId })),

  rerunFailed: protectedProcedure
    .input(setIdSchema)
    .output(captionSetSnapshotSchema)
    .mutation(({ ctx, input }) => {
      const { options, enqueue } = runDeps(ctx);
      return rerunFailedCaptions(ctx.db, { userId: ctx.caller.id, setId: input.setId }, options, enqueue);
    }),

  raiseBudget: protectedProcedure
    .input(setIdSchema.extend({ budget: budgetSchema }).strict())
    .output(captionSetSnapshotSchema)
    .mutation(({ ctx, input }) => {
      const { options, enqueue } = runDeps(ctx);
      return raiseCaptionBudget(ctx.db, { userId: ctx.caller.id, setId: input.setId, budget: input.budget }, options, enqueue);
    }),

  cancel: protectedProcedure
    .input(setIdSchema)
    .output(captionSetSnapshotSchema)
    .mutation(async ({ ctx, input }) => {
      const { set, canceled } = await cancelCaptionSet(ctx.db, { userId: ctx.caller.id, setId: input.setId });
      for (const step of canceled) {
        // Best effort: a job left in Redis finds its session canceled and charges nothing.
        await stopCanceledJob(ctx, { userId: ctx.caller.id, ...step });
      }
      return set;
    }),

  /** Inline edit: the new text becomes the caption's next version. */
  edit: protectedProcedure
    .input(z.object({ captionId: z.string().uuid(), text: z.string().max(10_000) }).strict())
    .output(captionSnapshotSchema)
    .mutation(({ ctx, input }) => editCaption(ctx.db, { userId: ctx.caller.id, ...input })),

  versions: protectedProcedure
    .input(z.object({ captionId: z.string().uuid() }).strict())
    .output(z.array(z.object({ version: z.number().int(), text: z.string(), editedBy: z.string().nullable(), createdAt: z.string() })))
    .query(({ ctx, input }) => listCaptionVersions(ctx.db, { userId: ctx.caller.id, captionId: input.captionId })),

  revert: protectedProcedure
    .input(z.object({ captionId: z.string().uuid(), version: z.number().int().min(1) }).strict())
    .output(captionSnapshotSchema)
    .mutation(({ ctx, input }) => revertCaption(ctx.db, { userId: ctx.caller.id, ...input })),

  /** What a bulk edit would change, before anyone confirms it: the count and a few before/after examples. */
  previewEdit: protectedProcedure
    .input(setIdSchema.extend({ edit: bulkCaptionEditSchema }).strict())
    .output(bulkCaptionEditPreviewSchema)
    .query(({ ctx, input }) => previewBulkCaptionEdit(ctx.db, { userId: ctx.caller.id, ...input })),

  replace: protectedProcedure
    .input(setIdSchema.extend({ find: captionFindSchema, replace: captionReplacementSchema }).strict())
    .output(z.object({ changed: z.number().int() }))
    .mutation(({ ctx, input }) =>
      applyBulkCaptionEdit(ctx.db, { userId: ctx.caller.id, setId: input.setId, edit: { kind: "replace", find: input.find, replace: input.replace } }),
    ),

  prefix: protectedProcedure
    .input(setIdSchema.extend({ word: triggerWordSchema }).strict())
    .output(z.object({ changed: z.number().int() }))
    .mutation(({ ctx, input }) => applyBulkCaptionEdit(ctx.db, { userId: ctx.caller.id, setId: input.setId, edit: { kind: "prefix", word: input.word } })),
} satisfies TRPCRouterRecord;
