import { and, eq, inArray } from "drizzle-orm";

import type { DbOrTx } from "@spellcast/db";
import { generationSessions } from "@spellcast/db";

import type { SessionStatus } from "../sessions/schema";

/**
 * The open step of `castId` that job `jobId` was running for it (see `ContinueAs`): the step a
 * job completed has a successor created `running` for that same job. When a worker dies between
 * that commit and pointing its job at the new step, the job comes back naming the completed step;
 * this is how it finds the step it owes. Null when there is none.
 */
export async function findJobOwnedStep(
  db: DbOrTx,
  params: { castId: string; jobId: string },
): Promise<{ sessionId: string; stepIndex: number; status: SessionStatus } | null> {
  const [row] = await db
    .select({ sessionId: generationSessions.id, stepIndex: generationSessions.stepIndex, status: generationSessions.status })
    .from(generationSessions)
    .where(
      and(
        eq(generationSessions.castId, params.castId),
        eq(generationSessions.jobId, params.jobId),
        inArray(generationSessions.status, ["queued", "running"]),
      ),
    )
    .limit(1);
  return row ? { ...row, stepIndex: row.stepIndex ?? 0 } : null;
}
