import { sql } from "drizzle-orm";

import type { DbOrTx } from "@spellcast/db";
import { generationSessions } from "@spellcast/db";

import { recordset } from "../lib/any-of";
import type { SessionRow } from "../sessions/snapshot";
import { leaseDeadline } from "../sessions/running-lease";
import { emitSessionEvent } from "../sessions/snapshot";

/** A cast's step session as `insertStepSessions` writes it: these columns, the rest take their defaults. */
export type NewSession = Pick<
  typeof generationSessions.$inferInsert,
  "jobId" | "userId" | "tool" | "params" | "outputs" | "attempts" | "reservationId" | "castId" | "startedAt" | "completedAt"
> & {
  id: string;
  status: "queued" | "running" | "completed";
  cost: number;
  maxAttempts: number;
  stepIndex: number;
  /** A step created running: its lease, from now by the database's clock (see `leaseDeadline`). */
  leaseMs?: number;
};

/**
 * Inserts a batch of casts' new step sessions with one statement, in the order given, and writes
 * their events (a local step, already completed, shows as created then completed). Returns the
 * rows as written, by id.
 */
export async function insertStepSessions(tx: DbOrTx, values: readonly NewSession[]): Promise<Map<string, SessionRow>> {
  if (values.length === 0) return new Map();
  const json = values.map((s) => ({
    id: s.id,
    job_id: s.jobId,
    user_id: s.userId,
    tool: s.tool,
    status: s.status,
    params: s.params,
    outputs: s.outputs ?? null,
    cost: s.cost,
    attempts: s.attempts ?? 0,
    max_attempts: s.maxAttempts,
    reservation_id: s.reservationId ?? null,
    cast_id: s.castId,
    step_index: s.stepIndex,
    started_at: s.startedAt?.toISOString() ?? null,
    completed_at: s.completedAt?.toISOString() ?? null,
    lease_ms: s.leaseMs ?? null,
  }));
  // One statement text whatever the batch size; the CTE lets Drizzle map the rows it returns.
  // Only what the database made comes back: the rest of each row is what was just sent.
  const made = {
    id: generationSessions.id,
    createdAt: generationSessions.createdAt,
    updatedAt: generationSessions.updatedAt,
    deadlineAt: generationSessions.deadlineAt,
  };
  const inserted = tx.$with("inserted", made).as(sql`
    insert into ${generationSessions} (id, job_id, user_id, tool, status, params, outputs, cost, attempts, max_attempts,
      reservation_id, cast_id, step_index, started_at, completed_at, deadline_at)
    select id, job_id, user_id, tool, status::session_status, params, outputs, cost, attempts, max_attempts,
      reservation_id, cast_id, step_index, started_at, completed_at, case when lease_ms is null then null else ${leaseDeadline(sql`lease_ms`)} end
    from ${recordset(json, "v", "id uuid, job_id text, user_id text, tool text, status text, params jsonb, outputs jsonb, cost integer, attempts integer, max_attempts integer, reservation_id uuid, cast_id uuid, step_index integer, started_at timestamptz, completed_at timestamptz, lease_ms integer")}
    returning id, created_at, updated_at, deadline_at`);
  const stamps = new Map((await tx.with(inserted).select().from(inserted)).map((r) => [r.id, r]));
  const byId = new Map(values.flatMap((s) => {
    const stamp = stamps.get(s.id);
    return stamp ? [[s.id, insertedRow(s, stamp)] as const] : [];
  }));
  for (const s of values) {
    const row = byId.get(s.id);
    if (!row) throw new Error(`step session ${s.id} was not inserted`);
    if (row.status === "completed") {
      // A local step: the timeline still shows it created, then completed.
      await emitSessionEvent(tx, "session_created", { ...row, status: "queued", outputs: null, attempts: 0, startedAt: null, completedAt: null });
    }
    // A step created running for the completing job has one event: created, its snapshot running.
    await emitSessionEvent(tx, row.status === "completed" ? "session_completed" : "session_created", row);
  }
  return byId;
}

/** The row `insertSessions` wrote for `s`: its values, the database's stamps, every other column's default. */
function insertedRow(s: NewSession, stamp: { createdAt: Date; updatedAt: Date; deadlineAt: Date | null }): SessionRow {
  return {
    id: s.id,
    userId: s.userId,
    clientKey: null,
    tool: s.tool,
    status: s.status,
    params: s.params,
    outputs: s.outputs ?? null,
    errorDetails: null,
    cost: s.cost,
    attempts: s.attempts ?? 0,
    attemptLog: [],
    jobId: s.jobId ?? null,
    maxAttempts: s.maxAttempts,
    reservationId: s.reservationId ?? null,
    castId: s.castId ?? null,
    stepIndex: s.stepIndex,
    createdAt: stamp.createdAt,
    startedAt: s.startedAt ?? null,
    completedAt: s.completedAt ?? null,
    updatedAt: stamp.updatedAt,
    deadlineAt: stamp.deadlineAt,
    replayOf: null,
    discardedAt: null,
    discardedBy: null,
  };
}
