import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";

import {
  cancelDatasetRuns,
  createDataset,
  datasetImageSchema,
  datasetNameSchema,
  datasetSummarySchema,
  deleteDataset,
  getDataset,
  listDatasets,
  MAX_IMAGES_PER_REMOVAL,
  placeCountSchema,
  removeDatasetImages,
  reserveImageIndexes,
} from "@spellcast/core";

import { stopCanceledJob } from "../jobs/stop-canceled-job";
import { protectedProcedure } from "../trpc";

/**
 * Datasets as data. Images are uploaded as files over HTTP (`POST /api/datasets/:id/images`,
 * multipart, session cookie or API key) and served from `/api/datasets/:id/images/:imageId/:variant`.
 */
export const datasetsRouter = {
  create: protectedProcedure
    .input(z.object({ name: datasetNameSchema }).strict())
    .output(datasetSummarySchema)
    .mutation(async ({ ctx, input }) => {
      const dataset = await createDataset(ctx.db, { userId: ctx.caller.id, name: input.name });
      ctx.logger.info({ userId: ctx.caller.id, datasetId: dataset.id }, "dataset.created");
      return dataset;
    }),

  list: protectedProcedure
    .output(z.array(datasetSummarySchema))
    .query(({ ctx }) => listDatasets(ctx.db, { userId: ctx.caller.id })),

  get: protectedProcedure
    .input(
      z
        .object({
          id: z.string().uuid(),
          /** The last `imageIndex` of the previous page. */
          cursor: z.number().int().min(0).nullish(),
          limit: z.number().int().min(1).max(500).default(200),
          /** Sent by tRPC's infinite queries; pages only go forward. */
          direction: z.literal("forward").optional(),
        })
        .strict(),
    )
    .output(
      z.object({ dataset: datasetSummarySchema, images: z.array(datasetImageSchema), nextCursor: z.number().int().nullable() }),
    )
    .query(({ ctx, input }) =>
      getDataset(ctx.db, { userId: ctx.caller.id, datasetId: input.id, cursor: input.cursor, limit: input.limit }),
    ),

  delete: protectedProcedure
    .input(z.object({ id: z.string().uuid() }).strict())
    .output(z.object({ id: z.string().uuid(), deletedImages: z.number().int() }))
    .mutation(async ({ ctx, input }) => {
      const userId = ctx.caller.id;
      // Runs still going on it end first (holds released, jobs removed or told to abort).
      for (const step of await cancelDatasetRuns(ctx.db, { userId, datasetId: input.id })) {
        await stopCanceledJob(ctx, { userId, ...step });
      }
      const { fileErrors, ...deleted } = await deleteDataset(ctx.db, ctx.storage, { userId, datasetId: input.id });
      for (const { key, error } of fileErrors) ctx.logger.warn({ userId, datasetId: input.id, key, err: error }, "dataset.file.delete.failed");
      ctx.logger.info({ userId, datasetId: input.id, images: deleted.deletedImages }, "dataset.deleted");
      return deleted;
    }),

  /**
   * Reserves places for `count` images about to be uploaded in several requests at once: each
   * request then names its first file's place (`firstIndex`), so the images stand in the order
   * they were chosen whichever request lands first.
   */
  reserveImageIndexes: protectedProcedure
    .input(z.object({ datasetId: z.string().uuid(), count: placeCountSchema }).strict())
    .output(z.object({ firstIndex: z.number().int(), count: z.number().int() }))
    .mutation(({ ctx, input }) => reserveImageIndexes(ctx.db, { userId: ctx.caller.id, ...input })),

  /**
   * Removes images (their rows, then their files), all or none. Refused while a caption run on
   * the dataset is unfinished or a cast of one of them runs; finished runs keep their captions.
   */
  removeImages: protectedProcedure
    .input(z.object({ datasetId: z.string().uuid(), imageIds: z.array(z.string().uuid()).min(1).max(MAX_IMAGES_PER_REMOVAL) }).strict())
    .output(z.object({ removed: z.array(z.object({ id: z.string().uuid(), fileName: z.string() })) }))
    .mutation(async ({ ctx, input }) => {
      const userId = ctx.caller.id;
      const { fileErrors, removed } = await removeDatasetImages(ctx.db, ctx.storage, { userId, ...input });
      for (const { key, error } of fileErrors) ctx.logger.warn({ userId, datasetId: input.datasetId, key, err: error }, "dataset.file.delete.failed");
      ctx.logger.info({ userId, datasetId: input.datasetId, imageIds: removed.map((i) => i.id) }, "dataset.images.removed");
      return { removed };
    }),
} satisfies TRPCRouterRecord;
