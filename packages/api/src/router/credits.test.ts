import { randomUUID } from "node:crypto";

import { count, eq } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";

import { creditsChangedPayloadSchema, grantStartingCredits, readEventsAfter, reserveCredits } from "@spellcast/core";
import { events, ledgerEntries, users } from "@spellcast/db";

import { createApiHarness } from "../testing/api-harness";

const api = createApiHarness();
afterAll(() => api.cleanup());

async function userIdOf(email: string): Promise<string> {
  const [row] = await api.db.select({ id: users.id }).from(users).where(eq(users.email, email));
  if (!row) throw new Error(`no user ${email}`);
  return row.id;
}

async function signedUp(name?: string) {
  const u = await api.signUp(name);
  return { ...u, id: await userIdOf(u.email) };
}

/** What a refused call must leave untouched: the user's ledger entries and events. */
async function writtenFor(userId: string) {
  const [entries] = await api.db.select({ n: count() }).from(ledgerEntries).where(eq(ledgerEntries.userId, userId));
  const [evts] = await api.db.select({ n: count() }).from(events).where(eq(events.userId, userId));
  return { entries: entries?.n, events: evts?.n };
}

const grantInput = (email: string, amount: number, reason = "Support top-up") => ({
  email,
  amount,
  reason,
  idempotencyKey: randomUUID(),
});

describe("starting grant", () => {
  it("a new user has 100 credits, and the history shows the signup grant with its reason", async () => {
    const user = await signedUp();
    await expect(user.caller.credits.balance()).resolves.toEqual({ balance: 100, held: 0, available: 100 });
    const { items, nextCursor } = await user.caller.credits.history({});
    expect(nextCursor).toBeNull();
    expect(items).toEqual([
      {
        id: expect.any(Number),
        kind: "grant",
        amount: 100,
        heldDelta: 0,
        balanceAfter: 100,
        heldAfter: 0,
        reason: "Welcome credits",
        subjectType: "signup",
        subjectId: user.id,
        subject: null,
        actorId: null,
        createdAt: expect.any(Date),
      },
    ]);
    await expect(user.caller.credits.holds()).resolves.toEqual([]);
  });

  it("the grant is idempotent per user: running the hook again writes nothing", async () => {
    const user = await signedUp();
    const before = await writtenFor(user.id);
    const replay = await grantStartingCredits(api.db, { userId: user.id, amount: 100 });
    expect(replay?.replayed).toBe(true);
    expect(await writtenFor(user.id)).toEqual(before);
    await expect(user.caller.credits.balance()).resolves.toMatchObject({ balance: 100 });
  });
});

describe("credits.holds and balance", () => {
  it("an open reservation shows as held, and in holds with what it is for", async () => {
    const user = await signedUp();
    const expiresAt = new Date(Date.now() + 60_000);
    const { reservation } = await reserveCredits(api.db, {
      userId: user.id,
      amount: 30,
      subject: { type: "session", id: "sess-1" },
      key: "reserve:sess-1",
      expiresAt,
    });
    await expect(user.caller.credits.balance()).resolves.toEqual({ balance: 100, held: 30, available: 70 });
    await expect(user.caller.credits.holds()).resolves.toEqual([
      { id: reservation.id, amount: 30, subjectType: "session", subjectId: "sess-1", subject: null, createdAt: expect.any(Date), expiresAt },
    ]);
    const { items } = await user.caller.credits.history({ limit: 1 });
    expect(items[0]).toMatchObject({ kind: "reserve", amount: 0, heldDelta: 30, balanceAfter: 100, heldAfter: 30 });
  });
});

describe("admin.credits.grant", () => {
  it("raises the user's balance, records the admin as actor and announces the new figures", async () => {
    const admin = await api.signUpAdmin();
    const user = await signedUp();
    const result = await admin.caller.admin.credits.grant(grantInput(user.email.toUpperCase(), 250, "Bug bounty"));
    expect(result).toMatchObject({
      recipient: { id: user.id, email: user.email },
      account: { balance: 350, held: 0, available: 350 },
      replayed: false,
      entry: { kind: "grant", amount: 250, actorId: admin.id, reason: "Bug bounty", subjectType: "admin_grant" },
    });

    await expect(user.caller.credits.balance()).resolves.toEqual({ balance: 350, held: 0, available: 350 });
    const { items } = await user.caller.credits.history({});
    expect(items.map((e) => [e.kind, e.amount, e.reason, e.actorId])).toEqual([
      ["grant", 250, "Bug bounty", admin.id],
      ["grant", 100, "Welcome credits", null],
    ]);
    // The admin's own account is untouched.
    await expect(admin.caller.credits.balance()).resolves.toMatchObject({ balance: 100 });

    // The recipient's event log carries the snapshot the browser patches its cache with.
    const rows = await readEventsAfter(api.db, { userId: user.id, afterId: 0n, limit: 10 });
    const last = rows.at(-1);
    expect(last?.type).toBe("credits_changed");
    const payload = creditsChangedPayloadSchema.parse(last?.payload);
    expect(payload).toMatchObject({ balance: 350, held: 0, available: 350, changes: [{ kind: "grant", amount: 250 }] });
  });

  it("by user id works too, and the same idempotency key grants once", async () => {
    const admin = await api.signUpAdmin();
    const user = await signedUp();
    const input = { userId: user.id, amount: 40, reason: "Refund", idempotencyKey: "ticket-42" };
    const first = await admin.caller.admin.credits.grant(input);
    const again = await admin.caller.admin.credits.grant(input);
    expect(first.replayed).toBe(false);
    expect(again).toMatchObject({ replayed: true, entry: { id: first.entry.id } });
    await expect(user.caller.credits.balance()).resolves.toMatchObject({ balance: 140 });
    // Same key, different amount: a conflict, not a second grant.
    await expect(admin.caller.admin.credits.grant({ ...input, amount: 41 })).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(user.caller.credits.balance()).resolves.toMatchObject({ balance: 140 });
  });

  it("a non-admin gets FORBIDDEN and nothing is written", async () => {
    const mallory = await signedUp("Mallory");
    const user = await signedUp();
    const before = await writtenFor(user.id);
    await expect(mallory.caller.admin.credits.grant(grantInput(user.email, 1_000))).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    // Granting oneself is refused the same way.
    await expect(mallory.caller.admin.credits.grant(grantInput(mallory.email, 1_000))).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    expect(await writtenFor(user.id)).toEqual(before);
    await expect(mallory.caller.credits.balance()).resolves.toMatchObject({ balance: 100 });
    const [byMallory] = await api.db.select({ n: count() }).from(ledgerEntries).where(eq(ledgerEntries.actorId, mallory.id));
    expect(byMallory?.n).toBe(0);
  });

  it("a signed-out caller gets UNAUTHORIZED", async () => {
    const user = await signedUp();
    await expect(api.callerFor().admin.credits.grant(grantInput(user.email, 5))).rejects.toMatchObject({
      code: "UNAUTHORIZED",
    });
    await expect(api.callerFor().credits.balance()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });

  it("bad amounts and malformed input get BAD_REQUEST and write nothing", async () => {
    const admin = await api.signUpAdmin();
    const user = await signedUp();
    const before = await writtenFor(user.id);
    const grant = admin.caller.admin.credits.grant;
    for (const amount of [0, -5, 1.5, 2 ** 31, Number.NaN, Number.POSITIVE_INFINITY]) {
      await expect(grant(grantInput(user.email, amount)), `amount ${amount}`).rejects.toMatchObject({
        code: "BAD_REQUEST",
      });
    }
    // @ts-expect-error a numeric string is not a number
    await expect(grant({ ...grantInput(user.email, 1), amount: "10" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(grant(grantInput(user.email, 10, "   "))).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(grant(grantInput(user.email, 10, "x".repeat(501)))).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(grant(grantInput(user.email, 10, "nul \u0000 byte"))).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(grant(grantInput("not-an-email", 10))).rejects.toMatchObject({ code: "BAD_REQUEST" });
    // Both or neither recipient field.
    await expect(grant({ ...grantInput(user.email, 10), userId: user.id })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(grant({ amount: 10, reason: "x", idempotencyKey: "k" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    // @ts-expect-error unknown fields are refused, not ignored
    await expect(grant({ ...grantInput(user.email, 10), actorId: "someone" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect(await writtenFor(user.id)).toEqual(before);
    await expect(user.caller.credits.balance()).resolves.toMatchObject({ balance: 100 });
    // The largest amount is accepted.
    await expect(grant(grantInput(user.email, 2 ** 31 - 1 - 100))).resolves.toMatchObject({
      account: { balance: 2 ** 31 - 1 },
    });
  });

  it("an unknown recipient gets NOT_FOUND and nothing is written", async () => {
    const admin = await api.signUpAdmin();
    const [beforeByAdmin] = await api.db.select({ n: count() }).from(ledgerEntries).where(eq(ledgerEntries.actorId, admin.id));
    await expect(
      admin.caller.admin.credits.grant(grantInput(`nobody-${randomUUID()}@example.test`, 10)),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(
      admin.caller.admin.credits.grant({ userId: "no-such-user", amount: 10, reason: "x", idempotencyKey: "k" }),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
    const [afterByAdmin] = await api.db.select({ n: count() }).from(ledgerEntries).where(eq(ledgerEntries.actorId, admin.id));
    expect(afterByAdmin).toEqual(beforeByAdmin);
  });
});

describe("credits.history", () => {
  it("pages newest first by keyset, every entry exactly once, across entries added between pages", async () => {
    const admin = await api.signUpAdmin();
    const user = await signedUp();
    for (let i = 1; i <= 6; i++) await admin.caller.admin.credits.grant(grantInput(user.email, i, `grant ${i}`));

    const first = await user.caller.credits.history({ limit: 3 });
    expect(first.items.map((e) => e.reason)).toEqual(["grant 6", "grant 5", "grant 4"]);
    expect(first.nextCursor).toBe(first.items.at(-1)?.id);

    // A new entry between pages does not shift the next page (keyset, not offset).
    await admin.caller.admin.credits.grant(grantInput(user.email, 7, "grant 7"));
    const second = await user.caller.credits.history({ limit: 3, cursor: first.nextCursor });
    expect(second.items.map((e) => e.reason)).toEqual(["grant 3", "grant 2", "grant 1"]);
    const third = await user.caller.credits.history({ limit: 3, cursor: second.nextCursor });
    expect(third.items.map((e) => e.reason)).toEqual(["Welcome credits"]);
    expect(third.nextCursor).toBeNull();

    const ids = [...first.items, ...second.items, ...third.items].map((e) => e.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(third.items[0]?.balanceAfter).toBe(100);
    expect(first.items[0]?.balanceAfter).toBe(100 + 21);
  });

  it("takes tRPC's infinite-query direction (forward only) and refuses bad page sizes and cursors", async () => {
    const user = await signedUp();
    await expect(user.caller.credits.history({ limit: 5, direction: "forward" })).resolves.toMatchObject({ items: [{ kind: "grant" }] });
    // @ts-expect-error pages never go towards newer entries
    await expect(user.caller.credits.history({ direction: "backward" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    for (const input of [{ limit: 0 }, { limit: 101 }, { limit: 2.5 }, { cursor: -1 }, { cursor: 0 }]) {
      await expect(user.caller.credits.history(input), JSON.stringify(input)).rejects.toMatchObject({
        code: "BAD_REQUEST",
      });
    }
  });

  it("is scoped to the caller: nobody sees another user's entries, holds or balance", async () => {
    const admin = await api.signUpAdmin();
    const alice = await signedUp("Alice");
    const bob = await signedUp("Bob");
    await admin.caller.admin.credits.grant(grantInput(alice.email, 500, "for alice only"));
    await reserveCredits(api.db, { userId: alice.id, amount: 10, subject: { type: "session", id: "a" }, key: "r:a" });

    const aliceHistory = await alice.caller.credits.history({});
    const bobHistory = await bob.caller.credits.history({});
    expect(bobHistory.items.map((e) => e.subjectId)).toEqual([bob.id]);
    expect(JSON.stringify(bobHistory)).not.toContain("for alice only");
    // Bob paging with a cursor taken from Alice's ledger still only reaches his own entries.
    const aliceTop = aliceHistory.items[0]?.id;
    const viaCursor = await bob.caller.credits.history({ cursor: (aliceTop ?? 0) + 1 });
    expect(viaCursor.items.every((e) => e.subjectId === bob.id)).toBe(true);
    await expect(bob.caller.credits.holds()).resolves.toEqual([]);
    await expect(bob.caller.credits.balance()).resolves.toEqual({ balance: 100, held: 0, available: 100 });
    await expect(alice.caller.credits.balance()).resolves.toEqual({ balance: 600, held: 10, available: 590 });
    // @ts-expect-error there is no way to name another user
    await expect(bob.caller.credits.history({ userId: alice.id })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });
});
