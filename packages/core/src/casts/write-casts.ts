import { getTableColumns, sql } from "drizzle-orm";

import type { DbOrTx } from "@spellcast/db";
import { casts } from "@spellcast/db";

import { recordset } from "../lib/any-of";
import type { CastRow } from "./snapshot";

/** Where a batch moved one cast: its new status, steps and, when it ended, output or error. */
export interface CastChange {
  /** The cast as it was; `unsaved`: built by the caller and not in the database yet. */
  cast: CastRow;
  unsaved: boolean;
  status: CastRow["status"];
  currentStep: number;
  stepIds: string[];
  /** Set when the cast finished: its last step's output. */
  output: Record<string, unknown> | null;
  ended: boolean;
  errorDetails: Record<string, unknown> | null;
}

/**
 * Writes a batch's casts, pipelined: new ones inserted as they already are after their first steps
 * (one write, not an insert and then an update), the others updated. Returns the rows by id.
 */
export async function writeCasts(tx: DbOrTx, changes: readonly CastChange[]): Promise<Map<string, CastRow>> {
  const now = new Date().toISOString();
  const [inserted, updated] = await Promise.all([
    insertCasts(tx, changes.filter((c) => c.unsaved), now),
    updateCasts(tx, changes.filter((c) => !c.unsaved), now),
  ]);
  return new Map([...inserted, ...updated].map((r) => [r.id, r]));
}

async function insertCasts(tx: DbOrTx, changes: readonly CastChange[], now: string): Promise<CastRow[]> {
  if (changes.length === 0) return [];
  const json = changes.map(({ cast, ...c }) => ({
    id: cast.id,
    user_id: cast.userId,
    spell_id: cast.spellId,
    dataset_id: cast.datasetId,
    image_id: cast.imageId,
    image_index: cast.imageIndex,
    caption_set_id: cast.captionSetId,
    client_key: cast.clientKey,
    status: c.status,
    current_step: c.currentStep,
    step_ids: c.stepIds,
    input: cast.input,
    output: c.output,
    error_details: c.errorDetails,
    completed_at: c.ended ? now : null,
  }));
  // One statement text whatever the batch size; the CTE lets Drizzle map the rows it returns.
  const inserted = tx.$with("inserted", getTableColumns(casts)).as(sql`
    insert into ${casts} (id, user_id, spell_id, dataset_id, image_id, image_index, caption_set_id, client_key, status,
      current_step, step_generation_ids, input, output, error_details, completed_at)
    select id, user_id, spell_id, dataset_id, image_id, image_index, caption_set_id, client_key, status::cast_status,
      current_step, step_ids, input, output, error_details, completed_at
    from ${recordset(json, "v", "id uuid, user_id text, spell_id uuid, dataset_id uuid, image_id uuid, image_index integer, caption_set_id uuid, client_key text, status text, current_step integer, step_ids uuid[], input jsonb, output jsonb, error_details jsonb, completed_at timestamptz")}
    returning *`);
  return tx.with(inserted).select().from(inserted);
}

async function updateCasts(tx: DbOrTx, changes: readonly CastChange[], now: string): Promise<CastRow[]> {
  if (changes.length === 0) return [];
  const json = changes.map((c) => ({
    id: c.cast.id,
    status: c.status,
    current_step: c.currentStep,
    step_ids: c.stepIds,
    finish: c.output !== null,
    output: c.output,
    ended: c.ended,
    error_details: c.errorDetails,
  }));
  const finishing = sql`v.finish`;
  return tx
    .update(casts)
    .set({
      status: sql`v.status::cast_status`,
      currentStep: sql`v.current_step`,
      stepGenerationIds: sql`v.step_ids`,
      output: sql`case when ${finishing} then v.output else ${casts.output} end`,
      errorDetails: sql`coalesce(v.error_details, ${casts.errorDetails})`,
      completedAt: sql`case when v.ended then ${now}::timestamptz else ${casts.completedAt} end`,
      updatedAt: sql`now()`,
    })
    .from(recordset(json, "v", "id uuid, status text, current_step integer, step_ids uuid[], finish boolean, output jsonb, ended boolean, error_details jsonb"))
    .where(sql`${casts.id} = v.id`)
    .returning(getTableColumns(casts));
}
