import type { SQLWrapper } from "drizzle-orm";
import { and, asc, eq, isNull, ne, or, sql } from "drizzle-orm";

import type { DbOrTx } from "@spellcast/db";
import { spells } from "@spellcast/db";

import { DomainError } from "../errors";
import { parseDomainInput } from "../parse-input";
import type { SpellSnapshot, SpellStep } from "./schema";
import { spellStepSchema } from "./schema";
import { spellCost, tools, withStoredDefaults } from "./tools";
import type { SpellInput } from "./validate-spell";
import { spellInputSchema } from "./validate-spell";

export type SpellRow = typeof spells.$inferSelect;

const stepsSchema = spellStepSchema.array();

export function toSpellSnapshot(row: SpellRow): SpellSnapshot {
  const steps = stepsSchema.parse(row.steps).map(withStoredDefaults);
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

/** Saves a new spell of the caller's; its name must differ from their other spells' and the built-ins'. */
export async function createSpell(db: DbOrTx, params: { userId: string; spell: SpellInput }): Promise<SpellSnapshot> {
  const input = parseDomainInput(spellInputSchema, params.spell);
  const row = await db.transaction(async (tx) => {
    await assertNameFree(tx, { userId: params.userId, name: input.name });
    const [inserted] = await tx
      .insert(spells)
      .values({ userId: params.userId, name: input.name, steps: input.steps, builtIn: false })
      .returning();
    return inserted;
  });
  if (!row) throw new Error("spell insert returned no row");
  return toSpellSnapshot(row);
}

export async function updateSpell(
  db: DbOrTx,
  params: { userId: string; spellId: string; spell: SpellInput },
): Promise<SpellSnapshot> {
  const input = parseDomainInput(spellInputSchema, params.spell);
  const row = await db.transaction(async (tx) => {
    const current = await ownSpell(tx, params);
    // A name kept as it was is never refused: spells named alike before names were checked stay editable.
    if (!sameName(current.name, input.name)) {
      await assertNameFree(tx, { userId: params.userId, name: input.name, exceptId: params.spellId });
    }
    const [updated] = await tx
      .update(spells)
      .set({ name: input.name, steps: input.steps, updatedAt: sql`now()` })
      .where(eq(spells.id, params.spellId))
      .returning();
    return updated;
  });
  if (!row) throw new DomainError("NOT_FOUND", "Spell not found");
  return toSpellSnapshot(row);
}

const sameName = (a: string, b: string) => a.trim().replace(/\s+/g, " ").toLowerCase() === b.trim().replace(/\s+/g, " ").toLowerCase();
/** A name as two names are compared: trimmed, runs of spaces as one, any case (Postgres' `lower`, on both sides). */
const comparable = (name: SQLWrapper | string) => sql`lower(regexp_replace(btrim(${name}), '\s+', ' ', 'g'))`;

/**
 * Serialises one user's spell writes until commit, so two saves of the same new name cannot both
 * pass the check below. Different users never wait on each other.
 */
async function lockSpellNames(tx: DbOrTx, userId: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${"spell-names:" + userId}, 0))`);
}

/**
 * Refuses a name the caller already sees on another spell: one of their own (not deleted), or a
 * built-in's, since both sit in the same lists and pickers. Trimmed, spaces collapsed, any case.
 */
async function assertNameFree(tx: DbOrTx, params: { userId: string; name: string; exceptId?: string }): Promise<void> {
  await lockSpellNames(tx, params.userId);
  const [taken] = await tx
    .select({ name: spells.name, builtIn: spells.builtIn })
    .from(spells)
    .where(
      and(
        visibleTo(params.userId),
        sql`${comparable(spells.name)} = ${comparable(params.name)}`,
        params.exceptId ? ne(spells.id, params.exceptId) : undefined,
      ),
    )
    .limit(1);
  if (!taken) return;
  throw new DomainError(
    "CONFLICT",
    taken.builtIn ? `“${taken.name}” is a built-in spell's name: pick another` : `You already have a spell named “${taken.name}”`,
  );
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
