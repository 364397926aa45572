import { and, eq, isNull, sql } from "drizzle-orm";

import type { Database, DbOrTx } from "@spellcast/db";
import { adminActions, generationSessions } from "@spellcast/db";

import { DomainError } from "../errors";
import { parseDomainInput } from "../parse-input";
import type { CreateGenerationOptions } from "../sessions/create-session";
import { createGenerationSession } from "../sessions/create-session";
import type { SessionSnapshot } from "../sessions/schema";
import { toSessionSnapshot } from "../sessions/snapshot";
import type { DeadLetterEdit } from "./schema";
import { deadLetterEditSchema, replayAttemptSchema } from "./schema";

const gs = generationSessions;

export interface ReplayResult {
  original: { id: string; userId: string };
  session: SessionSnapshot;
  /** False when this attempt was already made: its session is returned and nothing new was charged. */
  created: boolean;
}

/** Records an admin action (who, what, on which session); part of every dead-letter action. */
export async function recordAdminAction(
  db: DbOrTx,
  params: { adminId: string; action: string; subjectId: string; details?: Record<string, unknown> },
) {
  await db.insert(adminActions).values({ ...params, details: params.details ?? {} });
}

async function loadOriginal(db: DbOrTx, sessionId: string) {
  const [row] = await db.select().from(gs).where(eq(gs.id, sessionId));
  if (!row || row.status !== "failed") throw new DomainError("NOT_FOUND", "Dead letter not found");
  if (row.castId) throw new DomainError("INVALID_STATE", "Spell steps are replayed through their cast");
  return row;
}

/**
 * What replay `attempt` of a dead letter means. Its session's clientKey is
 * `replay-<original>-<attempt>`, so a repeat of the same attempt finds the first one's session
 * (also when sent at once: the (user, clientKey) unique index keeps one) and charges nothing.
 * A new attempt must be the next one, and only after every earlier replay failed or was
 * canceled: a replay that is queued, running or completed is never charged a second time.
 */
async function resolveAttempt(db: DbOrTx, original: { id: string; userId: string }, attempt: number): Promise<{ key: string } | { existing: typeof gs.$inferSelect }> {
  const key = `replay-${original.id}-${attempt}`;
  const [same] = await db.select().from(gs).where(and(eq(gs.userId, original.userId), eq(gs.clientKey, key)));
  if (same) return { existing: same };
  const replays = await db.select({ status: gs.status }).from(gs).where(eq(gs.replayOf, original.id));
  if (attempt !== replays.length + 1) {
    throw new DomainError("INVALID_STATE", `This dead letter has ${replays.length} replay(s), so the next attempt is ${replays.length + 1}: reload the list`);
  }
  const live = replays.find((r) => r.status !== "failed" && r.status !== "canceled");
  if (live) throw new DomainError("INVALID_STATE", `Already replayed (the replay is ${live.status}): it is not charged again`);
  return { key };
}

/**
 * Replays a dead-lettered generation as a NEW session for the same user (new reservation on the
 * user's account, `replay_of` = the original), with the original's prompt and parameters or, for
 * edit-and-replay, new ones validated as on submit. Recorded with the admin's id. `attempt` makes
 * it idempotent (see resolveAttempt): `created` is false when that attempt already exists.
 */
export async function replayDeadLetter(
  db: Database,
  params: { sessionId: string; adminId: string; attempt: number; edit?: DeadLetterEdit; options: CreateGenerationOptions },
): Promise<ReplayResult> {
  const original = await loadOriginal(db, params.sessionId);
  const attempt = parseDomainInput(replayAttemptSchema, params.attempt);
  const edit = params.edit ? parseDomainInput(deadLetterEditSchema, params.edit) : null;
  const userId = original.userId;
  const next = await resolveAttempt(db, original, attempt);
  if ("existing" in next) return { original: { id: original.id, userId }, session: toSessionSnapshot(next.existing), created: false };
  const { prompt, ...rest } = original.params;
  const request = edit
    ? { prompt: edit.prompt, params: edit.params, clientKey: next.key }
    : { prompt: typeof prompt === "string" ? prompt : "", params: rest, clientKey: next.key };
  const { session, created } = await createGenerationSession(db, userId, request, { ...params.options, replayOf: original.id });
  if (created) {
    await recordAdminAction(db, {
      adminId: params.adminId,
      action: edit ? "dead_letter.edit_replay" : "dead_letter.replay",
      subjectId: original.id,
      details: { replayId: session.id, userId, cost: session.cost, attempt, ...(edit ? { edit } : {}) },
    });
  }
  return { original: { id: original.id, userId }, session, created };
}

/** Hides a dead letter from the list (kept in the database, with who and when). Idempotent. */
export async function discardDeadLetter(db: Database, params: { sessionId: string; adminId: string }) {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(gs)
      .set({ discardedAt: sql`now()`, discardedBy: params.adminId })
      .where(and(eq(gs.id, params.sessionId), eq(gs.status, "failed"), isNull(gs.discardedAt)))
      .returning({ id: gs.id, discardedAt: gs.discardedAt });
    if (!row) {
      const [existing] = await tx.select({ status: gs.status, discardedAt: gs.discardedAt }).from(gs).where(eq(gs.id, params.sessionId));
      if (!existing || existing.status !== "failed") throw new DomainError("NOT_FOUND", "Dead letter not found");
      return { id: params.sessionId, discarded: false };
    }
    await recordAdminAction(tx, { adminId: params.adminId, action: "dead_letter.discard", subjectId: params.sessionId });
    return { id: row.id, discarded: true };
  });
}
