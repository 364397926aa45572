import { randomUUID } from "node:crypto";

import { and, asc, eq } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";

import { events } from "@spellcast/db";

import { auditLedger } from "./audit-ledger";
import { createLedgerBatch } from "./ledger-batch";
import { getBalance, listLedgerEntries } from "./read-credits";
import { reserveCredits } from "./reserve-credits";
import { createUserWithCredits, ledgerFootprint, openTestDb } from "./test-support";
import type { ReserveOp, SettleOp } from "./types";

// A completion batch's ledger work: captures decided first, then the next steps' holds against
// the figures the captures left, all written at once.

const { db, close } = openTestDb(5);
afterAll(async () => close());

const hold = (userId: string, amount: number, fresh = true): ReserveOp => {
  const id = randomUUID();
  return { kind: "reserve", userId, amount, subject: { type: "session", id }, key: `session:${id}`, expiresAt: new Date(Date.now() + 60_000), fresh };
};
const capture = (userId: string, reservationId: string, actualAmount: number): SettleOp => ({
  kind: "capture",
  reservationId,
  userId,
  actualAmount,
  reason: "Generation completed",
});

describe("ledger batch", () => {
  it("decides captures, then holds against what they left, and writes both with one account update and one event", async () => {
    const userId = await createUserWithCredits(db, 10);
    const first = await reserveCredits(db, { userId, amount: 6, subject: { type: "session", id: randomUUID() }, key: `k_${randomUUID()}` });

    const outcomes = await db.transaction(async (tx) => {
      const ledger = createLedgerBatch(tx);
      const captured = await ledger.decide([capture(userId, first.reservation.id, 4)]);
      // 10 − 4 captured = 6 available: a hold of 6 fits, one more credit does not.
      expect(await ledger.available(userId)).toBe(6);
      const held = await ledger.decide([hold(userId, 6), hold(userId, 1)]);
      // Nothing is written before `write`.
      const inside = await tx.select().from(events).where(and(eq(events.userId, userId), eq(events.type, "credits_changed")));
      expect(inside).toHaveLength(2); // the seed grant's and the first hold's
      await ledger.write();
      return [...captured, ...held];
    });

    expect(outcomes.map((o) => (o.ok ? o.value.kind : o.error.code))).toEqual(["capture", "reserve", "INSUFFICIENT_CREDITS"]);
    expect(await getBalance(db, { userId })).toEqual({ balance: 6, held: 6, available: 0 });
    const { items } = await listLedgerEntries(db, { userId });
    // Newest first: the running figures carry on from one decision to the next.
    expect(items.slice(0, 3).map((e) => [e.kind, e.amount, e.heldDelta, e.balanceAfter, e.heldAfter])).toEqual([
      ["reserve", 0, 6, 6, 6],
      ["release", 0, -2, 6, 0],
      ["capture", -4, -4, 6, 2],
    ]);
    const changed = await db.select().from(events).where(and(eq(events.userId, userId), eq(events.type, "credits_changed"))).orderBy(asc(events.id));
    expect(changed).toHaveLength(3);
    expect(changed.at(-1)?.payload).toMatchObject({ balance: 6, held: 6, available: 0 });
    expect(await auditLedger(db, { userIds: [userId] })).toEqual([]);
  });

  it("a fresh key is not looked up, yet a duplicate is refused at write and nothing is written", async () => {
    const userId = await createUserWithCredits(db, 10);
    const op = hold(userId, 2);
    await db.transaction(async (tx) => {
      const ledger = createLedgerBatch(tx);
      await ledger.decide([op]);
      await ledger.write();
    });
    const before = await ledgerFootprint(db, [userId]);
    const again = db.transaction(async (tx) => {
      const ledger = createLedgerBatch(tx);
      const [outcome] = await ledger.decide([op]);
      // Decided as new (the key was not read)…
      expect(outcome?.ok && outcome.value.kind === "reserve" && !outcome.value.replayed).toBe(true);
      await ledger.write();
    });
    // …and the account's unique key refuses it: the transaction rolls back.
    await expect(again).rejects.toThrow();
    expect(await ledgerFootprint(db, [userId])).toEqual(before);
    // Not fresh, the same key is a replay of the first hold.
    const replay = await db.transaction(async (tx) => {
      const ledger = createLedgerBatch(tx);
      const [outcome] = await ledger.decide([{ ...op, fresh: false }]);
      await ledger.write();
      return outcome;
    });
    expect(replay?.ok && replay.value.kind === "reserve" && replay.value.replayed).toBe(true);
    expect(await ledgerFootprint(db, [userId])).toEqual(before);
  });
});
