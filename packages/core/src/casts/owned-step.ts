import { and, eq, inArray } from "drizzle-orm";

import type { DbOrTx } from "@spellcast/db";
import { casts, generationSessions } from "@spellcast/db";

import type { StepJob } from "./schema";

/**
 * The open step that job `jobId` of `userId` owes (see `ContinueAs`): a job that completed a
 * step has its cast's next step created `running` for it, or — when that step ended its cast —
 * the first step of the image cast in its place. When a worker dies between that commit and
 * pointing its job at the new step, the job comes back naming the completed step; this is how it
 * finds the step it owes, in whichever cast. Null when there is none.
 */
export async function findJobOwnedStep(db: DbOrTx, params: { userId: string; jobId: string }): Promise<Pick<StepJob, "sessionId" | "cast"> | null> {
  const [row] = await db
    .select({
      sessionId: generationSessions.id,
      stepIndex: generationSessions.stepIndex,
      castId: casts.id,
      spellId: casts.spellId,
      datasetId: casts.datasetId,
      imageIndex: casts.imageIndex,
    })
    .from(generationSessions)
    .innerJoin(casts, eq(casts.id, generationSessions.castId))
    .where(
      and(
        eq(generationSessions.userId, params.userId),
        eq(generationSessions.jobId, params.jobId),
        inArray(generationSessions.status, ["queued", "running"]),
      ),
    )
    .limit(1);
  if (!row?.spellId) return null;
  const { sessionId, stepIndex, castId, spellId, datasetId, imageIndex } = row;
  return { sessionId, cast: { castId, spellId, stepIndex: stepIndex ?? 0, datasetId, imageIndex } };
}
