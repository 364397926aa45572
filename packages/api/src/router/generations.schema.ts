import { z } from "zod";

import { generationRequestSchema, imageSizeSchema, sessionSnapshotSchema } from "@spellcast/core";

/** `generations.create`: core's request schema (strict: unknown parameters are refused). */
export const generationsCreateInputSchema = generationRequestSchema;

export const sessionIdInputSchema = z.object({ id: z.string().uuid() }).strict();

export const sessionCursorSchema = z
  .object({ createdAt: z.iso.datetime({ offset: true }), id: z.string().uuid() })
  .strict();

/** Keyset page; `cursor` is the previous page's `nextCursor` (the shape useInfiniteQuery wants). */
export const generationsListInputSchema = z
  .object({
    limit: z.number().int().min(1).max(50).default(24),
    cursor: sessionCursorSchema.nullish(),
    /** Sent by tRPC's infinite queries; pages only go forward (older). */
    direction: z.enum(["forward", "backward"]).optional(),
  })
  .strict();

export const generationsListOutputSchema = z.object({
  items: z.array(sessionSnapshotSchema),
  nextCursor: sessionCursorSchema.nullable(),
});
export type GenerationsListOutput = z.infer<typeof generationsListOutputSchema>;

export const generationsPricingOutputSchema = z.object({
  sizes: z.array(z.object({ size: imageSizeSchema, cost: z.number().int().nonnegative() })),
  defaultSize: imageSizeSchema,
});
