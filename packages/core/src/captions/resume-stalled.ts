import { and, asc, eq, inArray, sql } from "drizzle-orm";

import type { Database } from "@spellcast/db";
import { captionSets, captions, casts } from "@spellcast/db";

import { hasNoOpenStep } from "../casts/open-steps";

import type { RunOptions, EnqueueSteps } from "./run-captions";
import { resumeCaptionSet } from "./run-captions";

/**
 * Sweeper step: `in_progress` sets with an image that has neither a caption nor an active cast
 * while their cast window has room, or a cast waiting between steps, are resumed (e.g. the
 * process that was creating their casts died). A run whose window is full is not stalled: its
 * finishing casts start the next images. Resume is idempotent under the set lock, so racing the
 * normal path costs nothing twice.
 */
export async function resumeStalledCaptionSets(
  db: Database,
  params: { limit: number; userIds?: readonly string[] },
  options: RunOptions,
  enqueue: EnqueueSteps,
): Promise<string[]> {
  const uncast = sql`exists (select 1 from ${captions} cp where cp.caption_set_id = ${captionSets.id} and cp.status = 'pending'
    and not exists (select 1 from ${casts} c where c.id = cp.cast_id and c.status in ('queued', 'running')))`;
  const windowRoom = sql`(select count(*) from ${casts} c where c.caption_set_id = ${captionSets.id} and c.status in ('queued', 'running')) < ${captionSets.castWindow}`;
  const waiting = sql`exists (select 1 from ${casts} c where c.caption_set_id = ${captionSets.id} and c.status in ('queued', 'running')
    and ${hasNoOpenStep(sql`c.id`)})`;
  const rows = await db
    .select({ id: captionSets.id, userId: captionSets.userId })
    .from(captionSets)
    .where(
      and(
        eq(captionSets.status, "in_progress"),
        params.userIds ? inArray(captionSets.userId, [...params.userIds]) : undefined,
        sql`((${uncast} and ${windowRoom}) or ${waiting})`,
      ),
    )
    .orderBy(asc(captionSets.updatedAt))
    .limit(params.limit);
  const resumed: string[] = [];
  for (const row of rows) {
    await resumeCaptionSet(db, { userId: row.userId, setId: row.id }, options, enqueue);
    resumed.push(row.id);
  }
  return resumed;
}
