import { eq } from "drizzle-orm";

import type { DbOrTx } from "@spellcast/db";
import { casts, generationSessions } from "@spellcast/db";

import { anyOf } from "../lib/any-of";
import type { StepJob } from "./schema";
import { stepJobOf } from "./steps";

/**
 * A session's queue job as a fresh enqueue makes it: a spell step's carries its cast (and so its
 * priority); a session that already ran attempts (its job lost) carries their count.
 */
export type SessionJob = Omit<StepJob, "cast"> & { cast?: StepJob["cast"]; attemptsBefore?: number };

/**
 * The jobs of sessions to enqueue again (the sweeper's, for a job Redis lost): one statement for
 * their casts, so a caption run's step goes back as background work with its metadata, as its
 * first enqueue made it. A session of no cast is a plain generation's job.
 */
export async function sessionJobsOf<S extends { id: string; userId: string; maxAttempts: number; attempts: number }>(
  db: DbOrTx,
  sessions: readonly S[],
): Promise<Array<{ session: S; job: SessionJob }>> {
  if (sessions.length === 0) return [];
  const rows = await db
    .select({ session: generationSessions, cast: casts })
    .from(generationSessions)
    .innerJoin(casts, eq(casts.id, generationSessions.castId))
    .where(anyOf(generationSessions.id, sessions.map((s) => s.id)));
  const steps = new Map(rows.map((r) => [r.session.id, stepJobOf(r.session, r.cast)]));
  return sessions.map((session) => {
    const job: SessionJob = steps.get(session.id) ?? { sessionId: session.id, userId: session.userId, maxAttempts: session.maxAttempts };
    return { session, job: session.attempts > 0 ? { ...job, attemptsBefore: session.attempts } : job };
  });
}
