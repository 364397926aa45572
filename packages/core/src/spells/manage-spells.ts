import { and, asc, eq, isNull, or, sql } from "drizzle-orm";

import type { DbOrTx } from "@spellcast/db";
import { spells } from "@spellcast/db";

import { DomainError } from "../errors";
import { parseDomainInput } from "../parse-input";
import type { SpellSnapshot, SpellStep } from "./schema";
import { spellStepSchema } from "./schema";
import { spellCost, tools } from "./tools";
import type { SpellInput } from "./validate-spell";
import { spellInputSchema } from "./validate-spell";

export type SpellRow = typeof spells.$inferSelect;

const stepsSchema = spellStepSchema.array();

export function toSpellSnapshot(row: SpellRow): SpellSnapshot {
  const steps = stepsSchema.parse(row.steps);
  const first = steps[0];
  const last = steps.at(-1);
  return {
    id: row.id,
    name: row.name,
    steps,
    builtIn: row.builtIn,
    cost: spellCost(steps),
    input: first ? tools[first.tool].input : "text",
    output: last ? tools[last.tool].output : "text",
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    deletedAt: row.deletedAt ? row.deletedAt.toISOString() : null,
  };
}

/** Built-ins and the user's own; a deleted spell only for the runs already made with it. */
const visibleTo = (userId: string, opts: { deleted?: boolean } = {}) =>
  and(or(isNull(spells.userId), eq(spells.userId, userId)), opts.deleted ? undefined : isNull(spells.deletedAt));

/**
 * Built-ins first, then the user's own, oldest first. `includeDeleted`: also the ones the user
 * deleted, for pages that name the runs made with them.
 */
export async function listSpells(db: DbOrTx, params: { userId: string; includeDeleted?: boolean }): Promise<SpellSnapshot[]> {
  const rows = await db
    .select()
    .from(spells)
    .where(visibleTo(params.userId, { deleted: params.includeDeleted }))
    .orderBy(sql`${spells.builtIn} desc`, asc(spells.createdAt));
  return rows.map(toSpellSnapshot);
}

/** A built-in or the caller's own spell; anyone else's is NOT_FOUND. */
/** `includeDeleted`: for a run already made with the spell (resume, re-run), which outlives its deletion. */
export async function getSpell(
  db: DbOrTx,
  params: { userId: string; spellId: string },
  opts: { includeDeleted?: boolean } = {},
): Promise<SpellSnapshot> {
  assertUuid(params.spellId);
  const [row] = await db
    .select()
    .from(spells)
    .where(and(eq(spells.id, params.spellId), visibleTo(params.userId, { deleted: opts.includeDeleted })));
  if (!row) throw new DomainError("NOT_FOUND", "Spell not found");
  return toSpellSnapshot(row);
}

export async function createSpell(db: DbOrTx, params: { userId: string; spell: SpellInput }): Promise<SpellSnapshot> {
  const input = parseDomainInput(spellInputSchema, params.spell);
  const [row] = await db
    .insert(spells)
    .values({ userId: params.userId, name: input.name, steps: input.steps, builtIn: false })
    .returning();
  if (!row) throw new Error("spell insert returned no row");
  return toSpellSnapshot(row);
}

export async function updateSpell(
  db: DbOrTx,
  params: { userId: string; spellId: string; spell: SpellInput },
): Promise<SpellSnapshot> {
  const input = parseDomainInput(spellInputSchema, params.spell);
  await ownSpell(db, params);
  const [row] = await db
    .update(spells)
    .set({ name: input.name, steps: input.steps, updatedAt: sql`now()` })
    .where(eq(spells.id, params.spellId))
    .returning();
  if (!row) throw new DomainError("NOT_FOUND", "Spell not found");
  return toSpellSnapshot(row);
}

/**
 * Deletes the caller's own spell: it leaves their list and casts nothing new. The row stays (marked
 * deleted) for the runs made with it, which keep their names and can still finish and re-run.
 */
export async function deleteSpell(db: DbOrTx, params: { userId: string; spellId: string }): Promise<{ id: string }> {
  await ownSpell(db, params);
  await db.update(spells).set({ deletedAt: sql`now()` }).where(eq(spells.id, params.spellId));
  return { id: params.spellId };
}

async function ownSpell(db: DbOrTx, params: { userId: string; spellId: string }): Promise<SpellRow> {
  assertUuid(params.spellId);
  const [row] = await db.select().from(spells).where(and(eq(spells.id, params.spellId), visibleTo(params.userId)));
  if (!row) throw new DomainError("NOT_FOUND", "Spell not found");
  if (row.builtIn || row.userId !== params.userId) throw new DomainError("FORBIDDEN", "Built-in spells cannot be changed");
  return row;
}

export function assertUuid(id: string, what = "Spell"): void {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) {
    throw new DomainError("NOT_FOUND", `${what} not found`);
  }
}

export type { SpellStep };
