import { randomUUID } from "node:crypto";

import { and, asc, eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { events } from "@spellcast/db";

import { DomainError } from "../errors";
import { auditLedger } from "./audit-ledger";
import { createLedger } from "./create-ledger";
import { expireHolds } from "./expire-holds";
import { grantCredits, grantCreditsInTx } from "./grant-credits";
import { getBalance, listLedgerEntries, listOpenHolds } from "./read-credits";
import { reserveCredits, reserveCreditsInTx } from "./reserve-credits";
import { captureReservation, releaseReservation } from "./settle-reservation";
import { createTestUsers, createUserWithCredits, ledgerFootprint, openTestDb } from "./test-support";

const { db, close } = openTestDb(20);
const ledger = createLedger(db);
afterAll(async () => {
  await ledger.drain();
  await close();
});

const session = () => ({ type: "session" as const, id: randomUUID() });
const key = () => `k_${randomUUID()}`;
const userWith = (credits: number) => createUserWithCredits(db, credits);
async function expectDomainError(promise: Promise<unknown>, code: DomainError["code"]) {
  const err: unknown = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DomainError);
  expect((err as DomainError).code).toBe(code);
}

describe("credit ledger", () => {
  it("grant, reserve, capture part and release move the right amounts and record each step", async () => {
    const userId = await userWith(100);
    const hold = await reserveCredits(db, { userId, amount: 30, subject: session(), key: key() });
    expect(hold).toMatchObject({ moved: 30, replayed: false, account: { balance: 100, held: 30, available: 70 } });

    const captured = await captureReservation(db, { reservationId: hold.reservation.id, userId, actualAmount: 20 });
    expect(captured).toMatchObject({ captured: 20, released: 10, moved: 30, settled: true });
    expect(captured.reservation).toMatchObject({ status: "captured", captured: 20, released: 10 });
    expect(await getBalance(db, { userId })).toEqual({ balance: 80, held: 0, available: 80 });

    const second = await reserveCredits(db, { userId, amount: 50, subject: session(), key: key() });
    expect(await listOpenHolds(db, { userId })).toHaveLength(1);
    const released = await releaseReservation(db, { reservationId: second.reservation.id });
    expect(released).toMatchObject({ captured: 0, released: 50, moved: 50, settled: true });
    expect(await getBalance(db, { userId })).toEqual({ balance: 80, held: 0, available: 80 });
    expect(await listOpenHolds(db, { userId })).toHaveLength(0);

    const { items } = await listLedgerEntries(db, { userId });
    expect(items.map((e) => [e.kind, e.amount, e.heldDelta, e.balanceAfter, e.heldAfter])).toEqual([
      ["release", 0, -50, 80, 0],
      ["reserve", 0, 50, 80, 50],
      ["release", 0, -10, 80, 0],
      ["capture", -20, -20, 80, 10],
      ["reserve", 0, 30, 100, 30],
      ["grant", 100, 0, 100, 0],
    ]);
    expect((await ledgerFootprint(db, [userId])).events).toBe(5); // one per call
    expect(await auditLedger(db, { userIds: [userId] })).toEqual([]);
  });

  it("a replayed grant returns the original entry and adds nothing", async () => {
    const userId = await userWith(10);
    const params = { userId, amount: 5, reason: "bonus", subject: { type: "admin_grant" as const, id: "req1" }, actorId: "admin1", key: "g1" };
    const first = await grantCredits(db, params);
    const again = await grantCredits(db, params);
    const batched = await ledger.grantCredits(params);
    expect(again.entry.id).toBe(first.entry.id);
    expect(batched.entry.id).toBe(first.entry.id);
    expect([first.replayed, again.replayed, batched.replayed]).toEqual([false, true, true]);
    expect(first.entry).toMatchObject({ actorId: "admin1", reason: "bonus", subjectType: "admin_grant" });
    expect(await getBalance(db, { userId })).toMatchObject({ balance: 15 });
  });

  it.each([
    ["plain calls", (p: Parameters<typeof reserveCredits>[1]) => reserveCredits(db, p)],
    ["the batching ledger", (p: Parameters<typeof reserveCredits>[1]) => ledger.reserveCredits(p)],
  ])("the same reserve key sent 50 times at once → one reservation, one entry (%s)", async (_, reserve) => {
    const userId = await userWith(100);
    const params = { userId, amount: 7, subject: session(), key: key() };
    const results = await Promise.all(Array.from({ length: 50 }, () => reserve(params)));
    expect(new Set(results.map((r) => r.reservation.id)).size).toBe(1);
    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
    expect(results.every((r) => r.moved === 7)).toBe(true);
    const footprint = await ledgerFootprint(db, [userId]);
    expect(footprint).toMatchObject({ reservations: 1, entries: 2 }); // the seed grant + one reserve
    expect(await getBalance(db, { userId })).toEqual({ balance: 100, held: 7, available: 93 });
  });

  it.each([
    ["plain calls", false],
    ["the batching ledger", true],
  ])("release and capture racing on one reservation → exactly one wins, the other moves 0 (%s)", async (_, batched) => {
    const userId = await userWith(1000);
    for (let round = 0; round < 20; round++) {
      const hold = await reserveCredits(db, { userId, amount: 10, subject: session(), key: key() });
      const reservationId = hold.reservation.id;
      const capture = { reservationId, actualAmount: 6 };
      const [c, r] = await Promise.all(
        batched
          ? [ledger.captureReservation(capture), ledger.releaseReservation({ reservationId, userId })]
          : [captureReservation(db, capture), releaseReservation(db, { reservationId, userId })],
      );
      expect([c.settled, r.settled].filter(Boolean)).toHaveLength(1);
      const [winner, loser] = c.settled ? [c, r] : [r, c];
      expect(winner.moved).toBe(10);
      expect(loser).toMatchObject({ moved: 0, captured: 0, released: 0 });
      expect(loser.reservation.status).toBe(winner.reservation.status);
    }
    expect(await auditLedger(db, { userIds: [userId] })).toEqual([]);
  });

  describe("bad input changes nothing", () => {
    const badAmounts: [string, unknown][] = [
      ["zero", 0],
      ["negative", -5],
      ["fractional", 1.5],
      ["NaN", Number.NaN],
      ["infinite", Number.POSITIVE_INFINITY],
      ["numeric string", "10"],
      ["null", null],
      ["2^31", 2 ** 31],
      ["2^53", 2 ** 53],
    ];
    let userId = "";
    let other = "";
    let held = "";
    let before: Awaited<ReturnType<typeof ledgerFootprint>>;
    beforeAll(async () => {
      userId = await userWith(100);
      other = await userWith(100);
      held = (await reserveCredits(db, { userId, amount: 10, subject: session(), key: key() })).reservation.id;
      before = await ledgerFootprint(db, [userId, other]);
    });
    const unchanged = async () => expect(await ledgerFootprint(db, [userId, other])).toEqual(before);

    it.each(badAmounts)("amount %s → INVALID_INPUT for grant, reserve and capture", async (_, amount) => {
      const bad = amount as number;
      const grant = { userId, amount: bad, reason: "x", subject: session(), key: key() };
      await expectDomainError(grantCredits(db, grant), "INVALID_INPUT");
      await expectDomainError(ledger.grantCredits(grant), "INVALID_INPUT");
      await expectDomainError(reserveCredits(db, { userId, amount: bad, subject: session(), key: key() }), "INVALID_INPUT");
      await expectDomainError(ledger.reserveCredits({ userId, amount: bad, subject: session(), key: key() }), "INVALID_INPUT");
      if (amount !== 0) {
        await expectDomainError(captureReservation(db, { reservationId: held, actualAmount: bad }), "INVALID_INPUT");
      }
      await unchanged();
    });

    it("text Postgres cannot store (NUL, lone surrogate) → INVALID_INPUT", async () => {
      const grant = { userId, amount: 1, reason: "ok", subject: session(), key: key() };
      await expectDomainError(grantCredits(db, { ...grant, key: "a\u0000b" }), "INVALID_INPUT");
      await expectDomainError(ledger.grantCredits({ ...grant, reason: "x\ud800" }), "INVALID_INPUT");
      await expectDomainError(reserveCredits(db, { userId, amount: 1, subject: { type: "session", id: "\udfff" }, key: key() }), "INVALID_INPUT");
      await expectDomainError(grantCredits(db, { ...grant, reason: "   " }), "INVALID_INPUT");
      await unchanged();
    });

    it("capturing more than reserved → INVALID_INPUT", async () => {
      await expectDomainError(captureReservation(db, { reservationId: held, actualAmount: 11 }), "INVALID_INPUT");
      await expectDomainError(ledger.captureReservation({ reservationId: held, actualAmount: 11 }), "INVALID_INPUT");
      await unchanged();
    });

    it("unknown or malformed reservation → NOT_FOUND / INVALID_INPUT", async () => {
      const unknown = randomUUID();
      await expectDomainError(captureReservation(db, { reservationId: unknown, actualAmount: 1 }), "NOT_FOUND");
      await expectDomainError(releaseReservation(db, { reservationId: unknown, userId }), "NOT_FOUND");
      await expectDomainError(ledger.releaseReservation({ reservationId: unknown }), "NOT_FOUND");
      await expectDomainError(ledger.captureReservation({ reservationId: unknown, userId, actualAmount: 1 }), "NOT_FOUND");
      await expectDomainError(releaseReservation(db, { reservationId: "not-a-uuid" }), "INVALID_INPUT");
      await unchanged();
    });

    it("another user's reservation → FORBIDDEN", async () => {
      await expectDomainError(releaseReservation(db, { reservationId: held, userId: other }), "FORBIDDEN");
      await expectDomainError(captureReservation(db, { reservationId: held, userId: other, actualAmount: 1 }), "FORBIDDEN");
      await expectDomainError(ledger.releaseReservation({ reservationId: held, userId: other }), "FORBIDDEN");
      await unchanged();
    });

    it("more than available → INSUFFICIENT_CREDITS; unknown user → NOT_FOUND", async () => {
      await expectDomainError(reserveCredits(db, { userId, amount: 91, subject: session(), key: key() }), "INSUFFICIENT_CREDITS");
      await expectDomainError(ledger.reserveCredits({ userId, amount: 91, subject: session(), key: key() }), "INSUFFICIENT_CREDITS");
      const ghost = { userId: `ghost_${randomUUID()}`, amount: 5, reason: "x", subject: session(), key: key() };
      await expectDomainError(grantCredits(db, ghost), "NOT_FOUND");
      await expectDomainError(reserveCredits(db, { ...ghost }), "INSUFFICIENT_CREDITS");
      await unchanged();
    });
  });

  it("the same key with different arguments → CONFLICT, nothing written", async () => {
    const userId = await userWith(100);
    const grant = { userId, amount: 5, reason: "bonus", subject: session(), key: "same" };
    await grantCredits(db, grant);
    const hold = { userId, amount: 10, subject: session(), key: "same" }; // grant and reserve keys do not collide
    await reserveCredits(db, hold);
    const before = await ledgerFootprint(db, [userId]);
    await expectDomainError(grantCredits(db, { ...grant, amount: 6 }), "CONFLICT");
    await expectDomainError(grantCredits(db, { ...grant, reason: "other" }), "CONFLICT");
    await expectDomainError(ledger.grantCredits({ ...grant, actorId: "someone" }), "CONFLICT");
    await expectDomainError(reserveCredits(db, { ...hold, amount: 11 }), "CONFLICT");
    await expectDomainError(ledger.reserveCredits({ ...hold, subject: session() }), "CONFLICT");
    expect(await ledgerFootprint(db, [userId])).toEqual(before);
  });

  it("expireHolds releases expired holds only, once", async () => {
    const userId = await userWith(100);
    const now = new Date();
    const past = new Date(now.getTime() - 1000);
    const reserve = (expiresAt: Date) => reserveCredits(db, { userId, amount: 10, subject: session(), key: key(), expiresAt });
    const expired = [(await reserve(past)).reservation.id, (await reserve(past)).reservation.id];
    const capturedFirst = (await reserve(past)).reservation.id;
    await captureReservation(db, { reservationId: capturedFirst, actualAmount: 10 });
    const live = (await reserve(new Date(now.getTime() + 60_000))).reservation.id;

    const settled = (await expireHolds(db, now)).filter((r) => r.reservation.userId === userId);
    expect(settled.map((r) => r.reservation.id).sort()).toEqual([...expired].sort());
    expect(settled.every((r) => r.released === 10 && r.reservation.status === "released")).toBe(true);
    expect((await listOpenHolds(db, { userId })).map((r) => r.id)).toEqual([live]);
    expect((await expireHolds(db, now)).filter((r) => r.reservation.userId === userId)).toEqual([]);
    expect(await getBalance(db, { userId })).toEqual({ balance: 90, held: 10, available: 80 });
    expect(await auditLedger(db, { userIds: [userId] })).toEqual([]);

    // The batching ledger's variant goes through its queue and settles the same way.
    const expiring = (await reserve(past)).reservation.id;
    const viaLedger = (await ledger.expireHolds(new Date())).filter((r) => r.reservation.userId === userId);
    expect(viaLedger.map((r) => [r.reservation.id, r.released])).toEqual([[expiring, 10]]);
    expect((await listOpenHolds(db, { userId })).map((r) => r.id)).toEqual([live]);
  });

  it("the InTx variants join the caller's transaction; a rejected op leaves it usable", async () => {
    const userId = await userWith(50);
    const before = await ledgerFootprint(db, [userId]);
    await expect(
      db.transaction(async (tx) => {
        await reserveCreditsInTx(tx, { userId, amount: 10, subject: session(), key: key() });
        throw new Error("caller rolls back");
      }),
    ).rejects.toThrow("caller rolls back");
    expect(await ledgerFootprint(db, [userId])).toEqual(before);

    const id = await db.transaction(async (tx) => {
      await expectDomainError(reserveCreditsInTx(tx, { userId, amount: 51, subject: session(), key: key() }), "INSUFFICIENT_CREDITS");
      await grantCreditsInTx(tx, { userId, amount: 1, reason: "in tx", subject: session(), key: key() });
      return (await reserveCreditsInTx(tx, { userId, amount: 51, subject: session(), key: key() })).reservation.id;
    });
    expect((await listOpenHolds(db, { userId })).map((r) => r.id)).toEqual([id]);
  });

  it("every changed account gets one credits_changed event with its figures, also from a multi-account batch", async () => {
    const userIds = await createTestUsers(db, 3);
    const before = await ledgerFootprint(db, userIds);
    await Promise.all(
      userIds.flatMap((userId, i) => [
        ledger.grantCredits({ userId, amount: 10 + i, reason: "x", subject: session(), key: "a" }),
        ledger.grantCredits({ userId, amount: 1, reason: "x", subject: session(), key: "b" }),
      ]),
    );
    const rows = await db
      .select()
      .from(events)
      .where(and(inArray(events.userId, userIds), eq(events.type, "credits_changed")))
      .orderBy(asc(events.id));
    expect(before.events).toBe(0);
    const last = new Map(rows.map((e) => [e.userId, e]));
    expect(rows).toHaveLength(3); // all six calls were queued in one tick: one batch, one event per account
    userIds.forEach((userId, i) => {
      const event = last.get(userId);
      expect(event?.subjectId).toBe(userId);
      expect(event?.payload).toMatchObject({ balance: 11 + i, held: 0, available: 11 + i });
    });
    const changes = rows.flatMap((e) => (e.payload.changes as { kind: string }[]).map((c) => c.kind));
    expect(changes).toEqual(Array(6).fill("grant"));
  });

  it("history pages newest first by keyset without gaps or repeats", async () => {
    const userId = await userWith(1);
    for (let i = 0; i < 24; i++) await grantCredits(db, { userId, amount: 1, reason: `#${i}`, subject: session(), key: `p${i}` });
    const seen: number[] = [];
    let cursor: number | null = null;
    do {
      const page: Awaited<ReturnType<typeof listLedgerEntries>> = await listLedgerEntries(db, { userId, limit: 10, cursor });
      seen.push(...page.items.map((e) => e.id));
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(seen).toHaveLength(25);
    expect([...seen].sort((a, b) => b - a)).toEqual(seen);
  });
});
