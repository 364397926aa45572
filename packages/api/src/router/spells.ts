import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";

import { createSpell, deleteSpell, listSpells, spellInputSchema, spellSnapshotSchema, tools, updateSpell } from "@spellcast/core";

import { protectedProcedure } from "../trpc";

const spellIdSchema = z.object({ id: z.string().uuid() }).strict();
/** `cost`: one call with default params (a Seedream step's depends on its size). */
const toolSchema = z.object({ name: z.string(), label: z.string(), input: z.string(), output: z.string(), cost: z.number().int(), local: z.boolean(), description: z.string() });

/** Built-in spells for everyone; each user creates, edits and deletes their own. */
export const spellsRouter = {
  /** The spells one can cast; `includeDeleted` adds the caller's deleted ones (`deletedAt` set), to name old runs. */
  list: protectedProcedure
    .input(z.object({ includeDeleted: z.boolean().optional() }).strict().optional())
    .output(z.array(spellSnapshotSchema))
    .query(({ ctx, input }) => listSpells(ctx.db, { userId: ctx.caller.id, includeDeleted: input?.includeDeleted })),

  tools: protectedProcedure.output(z.array(toolSchema)).query(() =>
    Object.values(tools).map((t) => ({ name: t.name, label: t.label, input: t.input, output: t.output, cost: t.cost({}), local: t.local, description: t.description })),
  ),

  create: protectedProcedure
    .input(spellInputSchema)
    .output(spellSnapshotSchema)
    .mutation(({ ctx, input }) => createSpell(ctx.db, { userId: ctx.caller.id, spell: input })),

  update: protectedProcedure
    .input(z.object({ id: z.string().uuid(), spell: spellInputSchema }).strict())
    .output(spellSnapshotSchema)
    .mutation(({ ctx, input }) => updateSpell(ctx.db, { userId: ctx.caller.id, spellId: input.id, spell: input.spell })),

  delete: protectedProcedure
    .input(spellIdSchema)
    .output(z.object({ id: z.string().uuid() }))
    .mutation(({ ctx, input }) => deleteSpell(ctx.db, { userId: ctx.caller.id, spellId: input.id })),
} satisfies TRPCRouterRecord;
