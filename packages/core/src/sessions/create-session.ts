import { randomInt, randomUUID } from "node:crypto";

import { and, eq, sql } from "drizzle-orm";

import type { Database } from "@spellcast/db";
import { generationSessions } from "@spellcast/db";

import { reserveCreditsInTx } from "../credits/reserve-credits";
import { parseDomainInput } from "../parse-input";
import { generationCost } from "./pricing";
import type { GenerationRequest, SessionSnapshot } from "./schema";
import { generationRequestSchema } from "./schema";
import { emitSessionEvent, toSessionSnapshot, updateSession } from "./snapshot";

/** Seeds run from 0 to 2^31 − 1, as the request schema allows. */
const SEED_LIMIT = 2_147_483_648;

export interface CreateGenerationOptions {
  maxAttempts: number;
  /** How long the hold lasts before the sweeper may release it (covers queueing + retries). */
  holdMs: number;
  /** An admin replay of a dead-lettered session: the original's id, kept on the new session. */
  replayOf?: string;
}

/**
 * Creates a queued generation: the session row, its credit reservation and its event, in one
 * transaction. The same clientKey from the same user returns the existing session and charges
 * nothing more, also when sent concurrently (the unique index serialises the racers).
 * INSUFFICIENT_CREDITS rolls everything back: no session, no hold.
 */
export async function createGenerationSession(
  db: Database,
  userId: string,
  request: GenerationRequest,
  options: CreateGenerationOptions,
): Promise<{ session: SessionSnapshot; created: boolean }> {
  const input = parseDomainInput(generationRequestSchema, request);
  const cost = generationCost(input.params);
  return db.transaction(async (tx) => {
    const id = randomUUID();
    const [inserted] = await tx
      .insert(generationSessions)
      .values({
        id,
        userId,
        clientKey: input.clientKey,
        tool: "seedream",
        status: "queued",
        // A seed is always recorded (one drawn here when none was asked for), so any image can
        // be drawn again exactly: "Use these settings" and a replay repeat it.
        params: { prompt: input.prompt, ...input.params, seed: input.params.seed ?? randomInt(SEED_LIMIT) },
        cost,
        maxAttempts: options.maxAttempts,
        jobId: `gen_${id}`,
        replayOf: options.replayOf ?? null,
      })
      .onConflictDoNothing({ target: [generationSessions.userId, generationSessions.clientKey], where: sql`${generationSessions.clientKey} is not null` })
      .returning();
    if (!inserted) {
      const [existing] = await tx
        .select()
        .from(generationSessions)
        .where(and(eq(generationSessions.userId, userId), eq(generationSessions.clientKey, input.clientKey)));
      if (!existing) throw new Error("clientKey conflict without a row");
      return { session: toSessionSnapshot(existing), created: false };
    }
    // Reserve before the event: the ledger locks the account row, then appendEvent takes the
    // per-user event lock; the same order everywhere avoids deadlocks.
    const { reservation } = await reserveCreditsInTx(tx, {
      userId,
      amount: cost,
      subject: { type: "session", id },
      key: `session:${id}`,
      expiresAt: new Date(Date.now() + options.holdMs),
    });
    const row = await updateSession(tx, id, { reservationId: reservation.id });
    await emitSessionEvent(tx, "session_created", row);
    return { session: toSessionSnapshot(row), created: true };
  });
}
