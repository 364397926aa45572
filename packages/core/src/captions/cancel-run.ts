import { and, eq, inArray, sql } from "drizzle-orm";

import type { Database } from "@spellcast/db";
import { casts, generationSessions } from "@spellcast/db";

import { lockAccountInTx } from "../casts/lock-account";
import { DomainError, isDomainError } from "../errors";
import { cancelSession } from "../sessions/cancel-session";
import type { CanceledStep } from "../sessions/cancel-session";
import type { CaptionSetSnapshot } from "./schema";
import { emitCaptionSetEvent, lockCaptionSet, updateCaptionSet } from "./snapshot";
import { ownSet, readSet } from "./run-captions";

/**
 * Cancels a run: the set turns `canceled` first (under its lock, so no chain creates another
 * step after this commits), then each open step is canceled through core's cancelSession (its
 * hold released, its cast canceled). The caller removes or aborts the listed jobs.
 */
export async function cancelCaptionSet(
  db: Database,
  params: { userId: string; setId: string },
): Promise<{ set: CaptionSetSnapshot; canceled: CanceledStep[] }> {
  const owned = await ownSet(db, params);
  await db.transaction(async (tx) => {
    await lockAccountInTx(tx, params.userId);
    const set = await lockCaptionSet(tx, owned.id);
    if (set.status !== "in_progress" && set.status !== "paused") {
      throw new DomainError("INVALID_STATE", `This run already ended (${set.status})`);
    }
    const row = await updateCaptionSet(tx, set.id, { status: "canceled", completedAt: new Date() });
    await emitCaptionSetEvent(tx, row);
  });
  const open = await db
    .select({ id: generationSessions.id })
    .from(generationSessions)
    .innerJoin(casts, eq(casts.id, generationSessions.castId))
    .where(and(eq(casts.captionSetId, owned.id), inArray(generationSessions.status, ["queued", "running"])));
  const canceled: CanceledStep[] = [];
  for (const { id } of open) {
    try {
      const result = await cancelSession(db, { userId: params.userId, sessionId: id });
      canceled.push({ sessionId: id, previousStatus: result.previousStatus, jobId: result.jobId });
    } catch (err) {
      // Ended on its own meanwhile (completed or failed): nothing left to cancel.
      if (!isDomainError(err) || err.code !== "INVALID_STATE") throw err;
    }
  }
  // Casts a pause left waiting between steps hold nothing; they end canceled too.
  await db
    .update(casts)
    .set({ status: "canceled", completedAt: new Date(), updatedAt: sql`now()` })
    .where(and(eq(casts.captionSetId, owned.id), inArray(casts.status, ["queued", "running"])));
  return { set: await readSet(db, owned.id), canceled };
}
