import { and, asc, eq, inArray, isNotNull, lt, sql } from "drizzle-orm";
import type { SQL } from "drizzle-orm";

import type { DbOrTx } from "@spellcast/db";
import { generationSessions } from "@spellcast/db";

import type { AttemptLogEntry, SessionStatus } from "./schema";
import { attemptLogEntrySchema } from "./schema";

/** What the sweeper needs to judge a session and, if need be, settle or re-enqueue it. */
export interface SweepCandidate {
  id: string;
  userId: string;
  status: SessionStatus;
  /** BullMQ job id (`gen_<id>`); null only for rows written before job ids were recorded. */
  jobId: string | null;
  attempts: number;
  maxAttempts: number;
  /** The newest failed attempt in the timeline, if any: the best description of a lost failure. */
  lastAttempt: AttemptLogEntry | null;
  createdAt: Date;
  deadlineAt: Date | null;
}

/** Every query takes a bounded batch, oldest first; `userIds` narrows it (tests, targeted repair). */
export interface SweepQueryScope {
  limit: number;
  userIds?: readonly string[];
}

const candidateColumns = {
  id: generationSessions.id,
  userId: generationSessions.userId,
  status: generationSessions.status,
  jobId: generationSessions.jobId,
  attempts: generationSessions.attempts,
  maxAttempts: generationSessions.maxAttempts,
  attemptLog: generationSessions.attemptLog,
  createdAt: generationSessions.createdAt,
  deadlineAt: generationSessions.deadlineAt,
};

type CandidateRow = { [K in keyof typeof candidateColumns]: (typeof generationSessions.$inferSelect)[K] };

function toCandidate(row: CandidateRow): SweepCandidate {
  const { attemptLog, ...rest } = row;
  const last = attemptLogEntrySchema.safeParse(attemptLog.at(-1));
  return { ...rest, lastAttempt: last.success ? last.data : null };
}

function scoped(scope: SweepQueryScope, condition: SQL | undefined): SQL | undefined {
  return scope.userIds ? and(condition, inArray(generationSessions.userId, [...scope.userIds])) : condition;
}

/**
 * `running` sessions whose deadline has passed: their worker may have died mid-call. Judged by
 * the database's clock, which wrote the deadlines (`leaseDeadline`), unless `now` stands in for it
 * (tests that look past every deadline).
 */
export async function findOverdueRunningSessions(
  db: DbOrTx,
  params: SweepQueryScope & { now?: Date },
): Promise<SweepCandidate[]> {
  const rows = await db
    .select(candidateColumns)
    .from(generationSessions)
    .where(scoped(params, and(eq(generationSessions.status, "running"), lt(generationSessions.deadlineAt, params.now ?? sql`now()`))))
    .orderBy(asc(generationSessions.deadlineAt))
    .limit(params.limit);
  return rows.map(toCandidate);
}

/** `queued` sessions created before `createdBefore`: their job may never have reached Redis. */
export async function findStaleQueuedSessions(
  db: DbOrTx,
  params: SweepQueryScope & { createdBefore: Date },
): Promise<SweepCandidate[]> {
  const rows = await db
    .select(candidateColumns)
    .from(generationSessions)
    .where(
      scoped(params, and(eq(generationSessions.status, "queued"), lt(generationSessions.createdAt, params.createdBefore))),
    )
    .orderBy(asc(generationSessions.createdAt))
    .limit(params.limit);
  return rows.map(toCandidate);
}

/** Of `sessionIds`, those not yet in a terminal status (queued or running). */
export async function findUnsettledSessions(
  db: DbOrTx,
  params: { sessionIds: readonly string[]; userIds?: readonly string[] },
): Promise<SweepCandidate[]> {
  if (params.sessionIds.length === 0) return [];
  const rows = await db
    .select(candidateColumns)
    .from(generationSessions)
    .where(
      scoped(
        { limit: 0, userIds: params.userIds },
        and(
          inArray(generationSessions.id, [...params.sessionIds]),
          inArray(generationSessions.status, ["queued", "running"]),
        ),
      ),
    );
  return rows.map(toCandidate);
}

/** Failed sessions whose release failed (`error_details.refundError` set): the refund is still owed. */
export async function findSessionsWithRefundError(db: DbOrTx, params: SweepQueryScope): Promise<string[]> {
  const rows = await db
    .select({ id: generationSessions.id })
    .from(generationSessions)
    .where(
      scoped(
        params,
        and(
          eq(generationSessions.status, "failed"),
          isNotNull(generationSessions.errorDetails),
          sql`coalesce(${generationSessions.errorDetails} ->> 'refundError', '') <> ''`,
        ),
      ),
    )
    .orderBy(asc(generationSessions.updatedAt))
    .limit(params.limit);
  return rows.map((r) => r.id);
}
