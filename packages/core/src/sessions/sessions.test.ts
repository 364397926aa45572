import { randomUUID } from "node:crypto";

import { and, count, eq } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";

import { events, generationSessions, reservations } from "@spellcast/db";

import { getBalance } from "../credits/read-credits";
import { createUserWithCredits, openTestDb } from "../credits/test-support";
import { DomainError } from "../errors";
import { cancelSession } from "./cancel-session";
import { createGenerationSession } from "./create-session";
import { failSession } from "./fail-session";
import { getSession, listSessions } from "./read-sessions";
import { completeSession, markSessionRunning, recordAttemptFailure } from "./transitions";

const { db, close } = openTestDb(30);
afterAll(() => close());

const options = { maxAttempts: 3, holdMs: 3_600_000 };
const clientKey = () => `ck_${randomUUID()}`;
const imageOutputs = { kind: "image" as const, storageKey: "sessions/x.png", contentType: "image/png" as const, bytes: 10 };

const userWith = (credits: number) => createUserWithCredits(db, credits);

async function eventTypes(sessionId: string) {
  const rows = await db.select({ type: events.type }).from(events).where(eq(events.subjectId, sessionId)).orderBy(events.id);
  return rows.map((r) => r.type);
}

const fatal400 = {
  providerStatus: 400,
  providerMessage: "The prompt was rejected. Request id: req_123",
  providerBody: JSON.stringify({ error: { message: "x".repeat(10_000) } }),
  requestId: "req_123",
  reason: "provider_error",
  attempts: 1,
  fatal: true,
};

describe("generation sessions", () => {
  it("create → running → completed: charges the cost once and emits events in order", async () => {
    const userId = await userWith(50);
    const { session, created } = await createGenerationSession(db, userId, { prompt: "a red fox", clientKey: clientKey() }, options);
    expect(created).toBe(true);
    expect(session).toMatchObject({ status: "queued", cost: 4, prompt: "a red fox" });
    expect(await getBalance(db, { userId })).toMatchObject({ balance: 50, held: 4 });

    await markSessionRunning(db, { sessionId: session.id, attempt: 1, leaseMs: 60_000 });
    const done = await completeSession(db, { sessionId: session.id, outputs: imageOutputs });
    expect(done.session).toMatchObject({ status: "completed", outputs: imageOutputs });
    expect(await getBalance(db, { userId })).toMatchObject({ balance: 46, held: 0 });
    expect(await eventTypes(session.id)).toEqual(["session_created", "session_running", "session_completed"]);
  });

  it("the same clientKey sent 20 times at once makes one session and one reservation", async () => {
    const userId = await userWith(100);
    const key = clientKey();
    const results = await Promise.all(
      Array.from({ length: 20 }, () => createGenerationSession(db, userId, { prompt: "same", clientKey: key }, options)),
    );
    const ids = new Set(results.map((r) => r.session.id));
    expect(ids.size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    const [holds] = await db.select({ n: count() }).from(reservations).where(eq(reservations.userId, userId));
    expect(holds?.n).toBe(1);
    expect(await getBalance(db, { userId })).toMatchObject({ balance: 100, held: 4 });
  });

  it("insufficient credits create nothing and hold nothing", async () => {
    const userId = await userWith(3);
    await expect(
      createGenerationSession(db, userId, { prompt: "too dear", clientKey: clientKey() }, options),
    ).rejects.toMatchObject({ code: "INSUFFICIENT_CREDITS" });
    const [rows] = await db.select({ n: count() }).from(generationSessions).where(eq(generationSessions.userId, userId));
    expect(rows?.n).toBe(0);
    expect(await getBalance(db, { userId })).toMatchObject({ balance: 3, held: 0 });
  });

  it("bad input is INVALID_INPUT and writes nothing", async () => {
    const userId = await userWith(100);
    const bad: unknown[] = [
      { prompt: "", clientKey: clientKey() },
      { prompt: "x".repeat(4001), clientKey: clientKey() },
      { prompt: "ok", clientKey: clientKey(), params: { size: "-5x-5" } },
      { prompt: "ok", clientKey: clientKey(), params: { steps: 30 } },
      { prompt: 42, clientKey: clientKey() },
      { prompt: "ok", clientKey: "short" },
    ];
    for (const request of bad) {
      await expect(
        createGenerationSession(db, userId, request as Parameters<typeof createGenerationSession>[2], options),
      ).rejects.toBeInstanceOf(DomainError);
    }
    const [rows] = await db.select({ n: count() }).from(generationSessions).where(eq(generationSessions.userId, userId));
    expect(rows?.n).toBe(0);
  });

  it("a fatal failure refunds the exact reservation and records every error detail", async () => {
    const userId = await userWith(20);
    const { session } = await createGenerationSession(db, userId, { prompt: "reject me", clientKey: clientKey() }, options);
    await markSessionRunning(db, { sessionId: session.id, attempt: 1, leaseMs: 60_000 });
    const { session: failed } = await failSession(db, { sessionId: session.id, failure: fatal400 });
    expect(failed.status).toBe("failed");
    const details = failed.errorDetails;
    expect(details).toMatchObject({
      providerStatus: 400,
      requestId: "req_123",
      attempts: 1,
      maxAttempts: 3,
      fatal: true,
      reservationAmount: 4,
      refundedCredits: 4,
      refundError: null,
    });
    expect(Buffer.byteLength(details?.providerBody ?? "", "utf8")).toBeLessThanOrEqual(2048);
    expect(details?.refundedAt).toEqual(expect.any(String));
    expect(details?.firstFailedAt).toEqual(expect.any(String));
    expect(await getBalance(db, { userId })).toMatchObject({ balance: 20, held: 0 });
  });

  it("the terminal step run twice concurrently refunds once and emits one terminal event", async () => {
    const userId = await userWith(20);
    const { session } = await createGenerationSession(db, userId, { prompt: "twice", clientKey: clientKey() }, options);
    const results = await Promise.all([
      failSession(db, { sessionId: session.id, failure: fatal400 }),
      failSession(db, { sessionId: session.id, failure: fatal400 }),
      failSession(db, { sessionId: session.id, failure: fatal400 }),
    ]);
    expect(results.filter((r) => r.failed)).toHaveLength(1);
    expect((await eventTypes(session.id)).filter((t) => t === "session_completed")).toHaveLength(1);
    expect(await getBalance(db, { userId })).toMatchObject({ balance: 20, held: 0 });
  });

  it("complete and fail racing: exactly one terminal status wins", async () => {
    const userId = await userWith(20);
    const { session } = await createGenerationSession(db, userId, { prompt: "race", clientKey: clientKey() }, options);
    const [completed, failed] = await Promise.all([
      completeSession(db, { sessionId: session.id, outputs: imageOutputs }),
      failSession(db, { sessionId: session.id, failure: fatal400 }),
    ]);
    expect(Number(completed.completed) + Number(failed.failed)).toBe(1);
    const account = await getBalance(db, { userId });
    expect(account.held).toBe(0);
    expect(account.balance).toBe(completed.completed ? 16 : 20);
  });

  it("retryable attempt failures land in the timeline; the first failure time is kept", async () => {
    const userId = await userWith(20);
    const { session } = await createGenerationSession(db, userId, { prompt: "flaky", clientKey: clientKey() }, options);
    const at = new Date(Date.now() - 5_000).toISOString();
    await recordAttemptFailure(db, {
      sessionId: session.id,
      entry: { attempt: 1, at, providerStatus: 503, message: "busy", retryInMs: 1000 },
    });
    const { session: failed } = await failSession(db, {
      sessionId: session.id,
      failure: { ...fatal400, providerStatus: 503, fatal: false, attempts: 3 },
    });
    expect(failed.attemptLog).toHaveLength(1);
    expect(failed.errorDetails).toMatchObject({ firstFailedAt: at, fatal: false, attempts: 3, refundedCredits: 4 });
  });

  it("a release that fails is recorded as refundError, the session still ends failed", async () => {
    const userId = await userWith(20);
    const { session } = await createGenerationSession(db, userId, { prompt: "broken hold", clientKey: clientKey() }, options);
    // Point the session at a reservation that does not exist: the ledger refuses the release.
    await db.update(generationSessions).set({ reservationId: randomUUID() }).where(eq(generationSessions.id, session.id));
    const { session: failed } = await failSession(db, { sessionId: session.id, failure: fatal400 });
    expect(failed.status).toBe("failed");
    expect(failed.errorDetails?.refundError).toEqual(expect.any(String));
    expect(failed.errorDetails?.refundedCredits).toBe(0);
  });

  it("cancel releases the hold; only the owner may cancel; a finished session can't be canceled", async () => {
    const owner = await userWith(20);
    const other = await userWith(20);
    const { session } = await createGenerationSession(db, owner, { prompt: "cancel me", clientKey: clientKey() }, options);
    await expect(cancelSession(db, { userId: other, sessionId: session.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    const { session: canceled, previousStatus } = await cancelSession(db, { userId: owner, sessionId: session.id });
    expect(previousStatus).toBe("queued");
    expect(canceled.status).toBe("canceled");
    expect(await getBalance(db, { userId: owner })).toMatchObject({ balance: 20, held: 0 });
    await expect(cancelSession(db, { userId: owner, sessionId: session.id })).rejects.toMatchObject({ code: "INVALID_STATE" });
    // A provider answer arriving after cancel charges nothing.
    const late = await completeSession(db, { sessionId: session.id, outputs: imageOutputs });
    expect(late.completed).toBe(false);
    expect(await getBalance(db, { userId: owner })).toMatchObject({ balance: 20, held: 0 });
  });

  it("reads are scoped to the owner and paginate by keyset without gaps", async () => {
    const owner = await userWith(200);
    const other = await userWith(0);
    const created = [];
    for (let i = 0; i < 7; i++) {
      created.push((await createGenerationSession(db, owner, { prompt: `p${i}`, clientKey: clientKey() }, options)).session.id);
    }
    await expect(getSession(db, { userId: other, sessionId: created[0] ?? "" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    const seen: string[] = [];
    let cursor = null;
    do {
      const page: Awaited<ReturnType<typeof listSessions>> = await listSessions(db, { userId: owner, limit: 3, cursor });
      seen.push(...page.items.map((s) => s.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...created].reverse());
    const otherList = await listSessions(db, { userId: other, limit: 10 });
    expect(otherList.items).toEqual([]);
    const [mine] = await db
      .select({ n: count() })
      .from(generationSessions)
      .where(and(eq(generationSessions.userId, owner)));
    expect(mine?.n).toBe(7);
  });
});
