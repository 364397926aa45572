import { asc, eq, sql } from "drizzle-orm";

import type { DbOrTx } from "@spellcast/db";
import { casts } from "@spellcast/db";

import { anyOf } from "../lib/any-of";
import { DomainError } from "../errors";
import { appendEvent } from "../events/append-event";
import type { CastSnapshot } from "../spells/schema";
import { castSnapshotSchema } from "../spells/schema";
import { stepCost } from "../spells/tools";
import type { CastInput } from "./schema";
import { castInputSchema } from "./schema";

export type CastRow = typeof casts.$inferSelect;

const parsedInputs = new WeakMap<CastRow, CastInput>();

/**
 * The cast's input (steps, options, source), validated once per row read: moving a batch of casts
 * on reads each one's input several times (planning, holds, the refill, the event).
 */
export function castInputOf(row: CastRow): CastInput {
  let input = parsedInputs.get(row);
  if (!input) {
    input = castInputSchema.parse(row.input);
    parsedInputs.set(row, input);
  }
  return input;
}

export function toCastSnapshot(row: CastRow): CastSnapshot {
  return castSnapshotSchema.parse({
    id: row.id,
    spellId: row.spellId,
    datasetId: row.datasetId,
    imageId: row.imageId,
    imageIndex: row.imageIndex,
    captionSetId: row.captionSetId,
    status: row.status,
    stepGenerationIds: row.stepGenerationIds,
    currentStep: row.currentStep,
    steps: castInputOf(row).steps.map((step) => ({ tool: step.tool, cost: stepCost(step) })),
    carriedFrom: castInputOf(row).carriedFrom ?? null,
    output: row.output,
    errorDetails: row.errorDetails,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    completedAt: row.completedAt ? row.completedAt.toISOString() : null,
  });
}

export async function lockCast(tx: DbOrTx, castId: string): Promise<CastRow> {
  const [row] = await tx.select().from(casts).where(eq(casts.id, castId)).for("update");
  if (!row) throw new DomainError("NOT_FOUND", "Cast not found");
  return row;
}

/** Locks casts in id order (the order every batch uses). */
export async function lockCasts(tx: DbOrTx, castIds: readonly string[]): Promise<Map<string, CastRow>> {
  if (castIds.length === 0) return new Map();
  const rows = await tx.select().from(casts).where(anyOf(casts.id, castIds)).orderBy(asc(casts.id)).for("update");
  return new Map(rows.map((r) => [r.id, r]));
}

export async function updateCast(tx: DbOrTx, castId: string, values: Partial<typeof casts.$inferInsert>): Promise<CastRow> {
  const [row] = await tx
    .update(casts)
    .set({ ...values, updatedAt: sql`now()` })
    .where(eq(casts.id, castId))
    .returning();
  if (!row) throw new DomainError("NOT_FOUND", "Cast not found");
  return row;
}

export async function emitCastEvent(tx: DbOrTx, row: CastRow): Promise<void> {
  await appendEvent(tx, { userId: row.userId, type: "cast_updated", subjectId: row.id, payload: { cast: toCastSnapshot(row) } });
}

export const isActiveCast = (status: CastRow["status"]) => status === "queued" || status === "running";
