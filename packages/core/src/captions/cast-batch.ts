import { and, asc, eq, inArray, sql } from "drizzle-orm";

import type { DbOrTx } from "@spellcast/db";
import { captions, casts, generationSessions } from "@spellcast/db";

import { continueCastInTx } from "../casts/advance-cast";
import { createStepSessionInTx, isLocalStep, runLocalStepInTx, stepJobOf } from "../casts/create-step";
import { lockAccountInTx } from "../casts/lock-account";
import type { CastInput, StepJob, StepOptions } from "../casts/schema";
import type { CastRow } from "../casts/snapshot";
import type { SpellStep } from "../spells/schema";
import { withEventsLast } from "../events/append-event";
import { stepCost } from "../spells/tools";
import { fitsBudget } from "./budget";
import type { CaptionSetRow } from "./snapshot";
import { emitCaptionSetEvent, lockCaptionSet, updateCaptionSet } from "./snapshot";

const activeSession = (castId: unknown) =>
  sql`exists (select 1 from ${generationSessions} gs where gs.cast_id = ${castId} and gs.status in ('queued', 'running'))`;

/** Pending captions of the set with no active cast: the images a start, resume or re-run must cast. */
export async function findUncastCaptions(tx: DbOrTx, setId: string, limit: number) {
  return tx
    .select({ id: captions.id, imageId: captions.imageId, imageIndex: captions.imageIndex, castId: captions.castId })
    .from(captions)
    .where(
      and(
        eq(captions.captionSetId, setId),
        eq(captions.status, "pending"),
        sql`not exists (select 1 from ${casts} c where c.id = ${captions.castId} and c.status in ('queued', 'running'))`,
      ),
    )
    .orderBy(asc(captions.imageIndex))
    .limit(limit);
}

/** Active casts of the set with no open step: a pause stopped them between steps. */
export async function findWaitingCasts(tx: DbOrTx, setId: string, limit: number): Promise<CastRow[]> {
  return tx
    .select()
    .from(casts)
    .where(and(eq(casts.captionSetId, setId), inArray(casts.status, ["queued", "running"]), sql`not ${activeSession(casts.id)}`))
    .orderBy(asc(casts.imageIndex))
    .limit(limit);
}

export interface BatchResult {
  jobs: StepJob[];
  /** More images may be waiting for a cast (the batch was full and the set is still running). */
  more: boolean;
  set: CaptionSetRow;
}

/**
 * One transaction: continues waiting casts, then casts up to `limit` images that have neither a
 * caption nor an active cast (one cast per image, its first step reserved), stopping when the
 * budget or the credits would be exceeded (the set turns `paused`). Account lock, then set lock.
 */
export async function castPendingBatch(
  db: DbOrTx,
  params: { userId: string; setId: string; limit: number; steps: SpellStep[]; spellId: string; options: StepOptions },
): Promise<BatchResult> {
  return db.transaction((tx) => withEventsLast(tx, async () => {
    await lockAccountInTx(tx, params.userId);
    let set = await lockCaptionSet(tx, params.setId);
    const jobs: StepJob[] = [];
    if (set.status !== "in_progress") return { jobs, more: false, set };
    for (const cast of await findWaitingCasts(tx, set.id, params.limit)) {
      const last = cast.stepGenerationIds.at(-1);
      if (!last) continue;
      const chain = await continueCastInTx(tx, { cast, set, fromStep: cast.stepGenerationIds.length - 1, snapshot: null, sessionId: last });
      jobs.push(...chain.next);
      set = await lockCaptionSet(tx, set.id);
      if (set.status !== "in_progress") return { jobs, more: false, set };
    }
    const pending = await findUncastCaptions(tx, set.id, params.limit);
    for (const caption of pending) {
      const first = params.steps[0];
      if (!first) break;
      if (!(await canStart(tx, set, stepCost(first)))) {
        set = await updateCaptionSet(tx, set.id, { status: "paused" });
        await emitCaptionSetEvent(tx, set);
        return { jobs, more: false, set };
      }
      const input: CastInput = {
        steps: params.steps,
        source: { kind: "image", datasetId: set.datasetId, imageId: caption.imageId, imageIndex: caption.imageIndex },
        options: params.options,
      };
      const [cast] = await tx
        .insert(casts)
        .values({
          userId: set.userId,
          spellId: params.spellId,
          datasetId: set.datasetId,
          imageId: caption.imageId,
          imageIndex: caption.imageIndex,
          captionSetId: set.id,
          status: "queued",
          input,
        })
        .returning();
      if (!cast) throw new Error("cast insert returned no row");
      await tx.update(captions).set({ castId: cast.id }).where(eq(captions.id, caption.id));
      const create = { cast, stepIndex: 0, step: first, input: input.source, options: params.options };
      if (isLocalStep(first)) {
        const ran = await runLocalStepInTx(tx, create);
        const chain = await continueCastInTx(tx, { cast: ran.cast, set, fromStep: 0, snapshot: ran.session.outputs, sessionId: ran.session.id });
        jobs.push(...chain.next);
      } else {
        const created = await createStepSessionInTx(tx, create);
        jobs.push(stepJobOf(created.session, created.cast));
      }
    }
    return { jobs, more: pending.length === params.limit, set };
  }));
}

async function canStart(tx: DbOrTx, set: CaptionSetRow, cost: number): Promise<boolean> {
  const account = await lockAccountInTx(tx, set.userId);
  const available = account ? account.balance - account.held : 0;
  return available >= cost && (await fitsBudget(tx, set, cost));
}
