import { eq, sql } from "drizzle-orm";

import type { DbOrTx } from "@spellcast/db";
import { generationSessions } from "@spellcast/db";

import { DomainError } from "../errors";
import { appendEvent } from "../events/append-event";
import type { EventType } from "../events/schema";
import { errorDetailsSchema } from "./error-details";
import type { SessionSnapshot } from "./schema";
import { attemptLogEntrySchema, sessionOutputsSchema } from "./schema";

export type SessionRow = typeof generationSessions.$inferSelect;

const iso = (d: Date | null) => (d ? d.toISOString() : null);
// Built once: zod builds a new schema object (~6 µs) at every `.array()`.
const attemptLogSchema = attemptLogEntrySchema.array();

export function toSessionSnapshot(row: SessionRow): SessionSnapshot {
  const prompt = typeof row.params.prompt === "string" ? row.params.prompt : "";
  return {
    id: row.id,
    tool: row.tool,
    status: row.status,
    prompt,
    params: row.params,
    outputs: row.outputs ? sessionOutputsSchema.parse(row.outputs) : null,
    errorDetails: row.errorDetails ? errorDetailsSchema.parse(row.errorDetails) : null,
    cost: row.cost,
    reservationId: row.reservationId,
    attempts: row.attempts,
    maxAttempts: row.maxAttempts,
    attemptLog: attemptLogSchema.parse(row.attemptLog),
    castId: row.castId,
    stepIndex: row.stepIndex,
    createdAt: row.createdAt.toISOString(),
    startedAt: iso(row.startedAt),
    completedAt: iso(row.completedAt),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** Writes the session's event with its full snapshot, in the caller's transaction (call last). */
export async function emitSessionEvent(tx: DbOrTx, type: EventType, row: SessionRow) {
  return appendEvent(tx, {
    userId: row.userId,
    type,
    subjectId: row.id,
    payload: { session: toSessionSnapshot(row) },
  });
}

/** Locks the session row for the rest of the transaction: transitions on one session serialise. */
export async function lockSession(tx: DbOrTx, sessionId: string): Promise<SessionRow> {
  const [row] = await tx
    .select()
    .from(generationSessions)
    .where(eq(generationSessions.id, sessionId))
    .for("update");
  if (!row) throw new DomainError("NOT_FOUND", "Session not found");
  return row;
}

export async function updateSession(
  tx: DbOrTx,
  sessionId: string,
  values: Partial<typeof generationSessions.$inferInsert>,
): Promise<SessionRow> {
  const [row] = await tx
    .update(generationSessions)
    .set({ ...values, updatedAt: sql`now()` })
    .where(eq(generationSessions.id, sessionId))
    .returning();
  if (!row) throw new DomainError("NOT_FOUND", "Session not found");
  return row;
}
