import { and, count, eq, sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";

import { creditRequestUpdatedPayloadSchema, readEventsAfter, readLatestEventId } from "@spellcast/core";
import { createDb, creditAccounts, creditRequests, events, ledgerEntries, users } from "@spellcast/db";

import { testEnv } from "../../../../tooling/test/env";
import { createApiHarness } from "../testing/api-harness";

const api = createApiHarness();
// The race test's gate and its watcher, on connections of their own (the racers may fill the API's pool).
const side = createDb(testEnv().databaseUrl, { max: 2, appName: "credit-requests-test-gate" });
afterAll(async () => {
  await api.cleanup();
  await side.close();
});

async function signedUp(name?: string) {
  const u = await api.signUp(name);
  const [row] = await api.db.select({ id: users.id }).from(users).where(eq(users.email, u.email));
  if (!row) throw new Error(`no user ${u.email}`);
  return { ...u, id: row.id };
}

/** What a refused call must leave untouched: the user's requests, ledger entries and events. */
async function writtenFor(userId: string) {
  const [requests] = await api.db.select({ n: count() }).from(creditRequests).where(eq(creditRequests.userId, userId));
  const [entries] = await api.db.select({ n: count() }).from(ledgerEntries).where(eq(ledgerEntries.userId, userId));
  const [evts] = await api.db.select({ n: count() }).from(events).where(eq(events.userId, userId));
  return { requests: requests?.n, entries: entries?.n, events: evts?.n };
}

/** The ledger entries written for a request. */
async function entriesOf(requestId: string) {
  return api.db
    .select()
    .from(ledgerEntries)
    .where(and(eq(ledgerEntries.subjectType, "credit_request"), eq(ledgerEntries.subjectId, requestId)));
}

/** Waits until `n` backends wait, directly or through one another, on the transaction `gate`. */
async function waitForBlocked(gate: Parameters<Parameters<typeof side.db.transaction>[0]>[0], n: number) {
  const [me] = await gate.execute<{ pid: number }>(sql`select pg_backend_pid() as pid`);
  const deadline = Date.now() + 10_000;
  for (;;) {
    const [row] = await side.db.execute<{ n: number }>(sql`
      with recursive blocked(pid) as (
        select pid from pg_stat_activity where ${me?.pid ?? 0}::int = any(pg_blocking_pids(pid))
        union
        select a.pid from pg_stat_activity a join blocked b on b.pid = any(pg_blocking_pids(a.pid))
      )
      select count(*)::int as n from blocked`);
    if ((row?.n ?? 0) >= n) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${n} blocked backends (${row?.n ?? 0})`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The `credit_request_updated` events in a user's log after `afterId`. */
async function requestEventsOf(userId: string, afterId: bigint | null) {
  const rows = await readEventsAfter(api.db, { userId, afterId, limit: 100 });
  return rows.filter((e) => e.type === "credit_request_updated").map((e) => creditRequestUpdatedPayloadSchema.parse(e.payload));
}

describe("credit requests: ask, grant, decline, withdraw", () => {
  it("a request an admin grants raises the balance by its amount: one ledger entry, the request granted, both told", async () => {
    const admin = await api.signUpAdmin();
    const user = await signedUp();
    const adminCursor = await readLatestEventId(api.db, admin.id);
    const request = await user.caller.credits.requests.create({ amount: 250, reason: "  Captioning my 2,000-image dataset  " });
    expect(request).toMatchObject({ amount: 250, reason: "Captioning my 2,000-image dataset", status: "open", grantedAmount: null, note: null, closedAt: null });

    // The admins' queue shows it (and the admin's stream was told), with who asks and their balance.
    const queue = await admin.caller.admin.creditRequests.list();
    expect(queue.find((r) => r.id === request.id)).toEqual({
      id: request.id,
      userId: user.id,
      userEmail: user.email,
      userName: "Test User",
      amount: 250,
      reason: "Captioning my 2,000-image dataset",
      createdAt: request.createdAt,
      balance: 100,
    });
    expect(await requestEventsOf(admin.id, adminCursor)).toContainEqual({ requestId: request.id, status: "open" });

    const userCursor = await readLatestEventId(api.db, user.id);
    const { request: granted, account } = await admin.caller.admin.creditRequests.grant({ requestId: request.id });
    expect(granted).toMatchObject({ id: request.id, status: "granted", grantedAmount: 250, closedAt: expect.any(Date) });
    expect(account).toEqual({ balance: 350, held: 0, available: 350 });
    await expect(user.caller.credits.balance()).resolves.toEqual({ balance: 350, held: 0, available: 350 });

    const entries = await entriesOf(request.id);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ userId: user.id, kind: "grant", amount: 250, actorId: admin.id, reason: "Credit request granted" });
    const [stored] = await api.db.select().from(creditRequests).where(eq(creditRequests.id, request.id));
    expect(stored).toMatchObject({ ledgerEntryId: entries[0]?.id, decidedBy: admin.id });

    // The user's log: the new balance (the header patches it) and the request's answer.
    const after = await readEventsAfter(api.db, { userId: user.id, afterId: userCursor, limit: 10 });
    expect(after.map((e) => e.type).sort()).toEqual(["credit_request_updated", "credits_changed"]);
    expect(await requestEventsOf(user.id, userCursor)).toEqual([{ requestId: request.id, status: "granted" }]);
    await expect(user.caller.credits.requests.list()).resolves.toEqual([granted]);
    expect((await admin.caller.admin.creditRequests.list()).some((r) => r.id === request.id)).toBe(false);
  });

  it("an admin may grant another amount, with a note the user reads with the request and in the history", async () => {
    const admin = await api.signUpAdmin();
    const user = await signedUp();
    const request = await user.caller.credits.requests.create({ amount: 5_000 });
    expect(request.reason).toBeNull();
    await admin.caller.admin.creditRequests.grant({ requestId: request.id, amount: 1_000, note: "Starting with 1,000; ask again later" });
    const [mine] = await user.caller.credits.requests.list();
    expect(mine).toMatchObject({ status: "granted", amount: 5_000, grantedAmount: 1_000, note: "Starting with 1,000; ask again later" });
    const { items } = await user.caller.credits.history({ limit: 1 });
    expect(items[0]).toMatchObject({ amount: 1_000, subjectType: "credit_request", subjectId: request.id, reason: "Credit request granted: Starting with 1,000; ask again later" });
    await expect(user.caller.credits.balance()).resolves.toMatchObject({ balance: 1_100 });
  });

  it("a declined request moves no credits; the user sees the note and may ask again", async () => {
    const admin = await api.signUpAdmin();
    const user = await signedUp();
    const request = await user.caller.credits.requests.create({ amount: 300, reason: "more please" });
    const declined = await admin.caller.admin.creditRequests.decline({ requestId: request.id, note: "Use the demo account for tests" });
    expect(declined).toMatchObject({ status: "declined", grantedAmount: null, note: "Use the demo account for tests", closedAt: expect.any(Date) });
    expect(await entriesOf(request.id)).toHaveLength(0);
    await expect(user.caller.credits.balance()).resolves.toMatchObject({ balance: 100 });
    expect(await requestEventsOf(user.id, null)).toEqual([
      { requestId: request.id, status: "open" },
      { requestId: request.id, status: "declined" },
    ]);
    // Decided: neither a grant nor a withdrawal changes it now.
    await expect(admin.caller.admin.creditRequests.grant({ requestId: request.id })).rejects.toMatchObject({ code: "CONFLICT", message: "This request was already declined" });
    await expect(user.caller.credits.requests.withdraw({ requestId: request.id })).rejects.toMatchObject({ code: "CONFLICT" });
    const again = await user.caller.credits.requests.create({ amount: 50 });
    expect((await user.caller.credits.requests.list()).map((r) => [r.id, r.status])).toEqual([
      [again.id, "open"],
      [request.id, "declined"],
    ]);
  });

  it("a withdrawn request can no longer be granted or declined", async () => {
    const admin = await api.signUpAdmin();
    const user = await signedUp();
    const request = await user.caller.credits.requests.create({ amount: 40 });
    await expect(user.caller.credits.requests.withdraw({ requestId: request.id })).resolves.toMatchObject({ status: "withdrawn", closedAt: expect.any(Date) });
    await expect(admin.caller.admin.creditRequests.grant({ requestId: request.id })).rejects.toMatchObject({ code: "CONFLICT", message: "This request was already withdrawn" });
    await expect(admin.caller.admin.creditRequests.decline({ requestId: request.id })).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(user.caller.credits.requests.withdraw({ requestId: request.id })).rejects.toMatchObject({ code: "CONFLICT" });
    expect(await entriesOf(request.id)).toHaveLength(0);
    await expect(user.caller.credits.balance()).resolves.toMatchObject({ balance: 100 });
    expect((await admin.caller.admin.creditRequests.list()).some((r) => r.id === request.id)).toBe(false);
  });

  it("an unknown request is NOT_FOUND", async () => {
    const admin = await api.signUpAdmin();
    const requestId = "00000000-0000-4000-8000-000000000000";
    await expect(admin.caller.admin.creditRequests.grant({ requestId })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(admin.caller.admin.creditRequests.decline({ requestId })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(admin.caller.credits.requests.withdraw({ requestId })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});

describe("credit requests: one open at a time, valid input only", () => {
  it("a second request while one is open is refused and writes nothing", async () => {
    const user = await signedUp();
    const first = await user.caller.credits.requests.create({ amount: 10 });
    const before = await writtenFor(user.id);
    await expect(user.caller.credits.requests.create({ amount: 20 })).rejects.toMatchObject({
      code: "CONFLICT",
      message: "You already have an open credit request: withdraw it, or wait for an admin's answer",
    });
    expect(await writtenFor(user.id)).toEqual(before);
    await user.caller.credits.requests.withdraw({ requestId: first.id });
    await expect(user.caller.credits.requests.create({ amount: 20 })).resolves.toMatchObject({ status: "open" });
  });

  it("two requests sent at once: the database lets one in", async () => {
    const user = await signedUp();
    const results = await Promise.allSettled(Array.from({ length: 4 }, (_, i) => user.caller.credits.requests.create({ amount: 10 + i })));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of results.filter((r) => r.status === "rejected")) expect(r.reason).toMatchObject({ code: "CONFLICT" });
    const [open] = await api.db.select({ n: count() }).from(creditRequests).where(and(eq(creditRequests.userId, user.id), eq(creditRequests.status, "open")));
    expect(open?.n).toBe(1);
  });

  it("bad amounts and reasons get BAD_REQUEST and write nothing", async () => {
    const user = await signedUp();
    const before = await writtenFor(user.id);
    const create = user.caller.credits.requests.create;
    for (const amount of [0, -5, 1.5, 100_001, Number.NaN, Number.POSITIVE_INFINITY]) {
      await expect(create({ amount }), `amount ${amount}`).rejects.toMatchObject({ code: "BAD_REQUEST" });
    }
    // @ts-expect-error a numeric string is not a number
    await expect(create({ amount: "10" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(create({ amount: 10, reason: "x".repeat(501) })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(create({ amount: 10, reason: "nul \u0000 byte" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    // @ts-expect-error there is no way to ask on someone else's behalf
    await expect(create({ amount: 10, userId: "someone-else" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect(await writtenFor(user.id)).toEqual(before);
    // The bounds themselves are fine; a reason of spaces is no reason.
    const largest = await create({ amount: 100_000, reason: "   " });
    expect(largest).toMatchObject({ amount: 100_000, reason: null });
  });

  it("an admin's grant amount and note are checked the same way", async () => {
    const admin = await api.signUpAdmin();
    const user = await signedUp();
    const request = await user.caller.credits.requests.create({ amount: 10 });
    const grant = admin.caller.admin.creditRequests.grant;
    for (const amount of [0, 2.5, 100_001]) {
      await expect(grant({ requestId: request.id, amount }), `amount ${amount}`).rejects.toMatchObject({ code: "BAD_REQUEST" });
    }
    await expect(grant({ requestId: request.id, note: "n".repeat(501) })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(grant({ requestId: "not-a-uuid" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect(await entriesOf(request.id)).toHaveLength(0);
    await expect(user.caller.credits.requests.list()).resolves.toMatchObject([{ id: request.id, status: "open" }]);
  });
});

describe("credit requests: who may do what", () => {
  it("a non-admin cannot list, grant or decline requests; nothing changes", async () => {
    const mallory = await signedUp("Mallory");
    const user = await signedUp();
    const request = await user.caller.credits.requests.create({ amount: 500 });
    const before = await writtenFor(user.id);
    await expect(mallory.caller.admin.creditRequests.list()).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(mallory.caller.admin.creditRequests.grant({ requestId: request.id })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(mallory.caller.admin.creditRequests.decline({ requestId: request.id })).rejects.toMatchObject({ code: "FORBIDDEN" });
    // Not even one's own.
    const own = await mallory.caller.credits.requests.create({ amount: 500 });
    await expect(mallory.caller.admin.creditRequests.grant({ requestId: own.id })).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(await writtenFor(user.id)).toEqual(before);
    await expect(user.caller.credits.requests.list()).resolves.toMatchObject([{ id: request.id, status: "open" }]);
    await expect(mallory.caller.credits.balance()).resolves.toMatchObject({ balance: 100 });
  });

  it("another user neither sees nor withdraws my request", async () => {
    const alice = await signedUp("Alice");
    const bob = await signedUp("Bob");
    const request = await alice.caller.credits.requests.create({ amount: 70, reason: "for alice only" });
    await expect(bob.caller.credits.requests.list()).resolves.toEqual([]);
    await expect(bob.caller.credits.requests.withdraw({ requestId: request.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(alice.caller.credits.requests.list()).resolves.toMatchObject([{ id: request.id, status: "open" }]);
    // Bob's stream never hears of it.
    expect(await requestEventsOf(bob.id, null)).toEqual([]);
  });

  it("a signed-out caller gets UNAUTHORIZED", async () => {
    const anonymous = api.callerFor();
    await expect(anonymous.credits.requests.create({ amount: 10 })).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await expect(anonymous.credits.requests.list()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await expect(anonymous.admin.creditRequests.list()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });
});

describe("credit requests: decided once", () => {
  it("two grants of one request at once (a double click, two admins) grant it once", async () => {
    const admin = await api.signUpAdmin("Admin One");
    const other = await api.signUpAdmin("Admin Two");
    const user = await signedUp();
    const request = await user.caller.credits.requests.create({ amount: 120 });
    const results = await Promise.allSettled([
      admin.caller.admin.creditRequests.grant({ requestId: request.id }),
      admin.caller.admin.creditRequests.grant({ requestId: request.id }),
      other.caller.admin.creditRequests.grant({ requestId: request.id, amount: 999 }),
      other.caller.admin.creditRequests.decline({ requestId: request.id }),
    ]);
    const won = results.filter((r) => r.status === "fulfilled");
    expect(won).toHaveLength(1);
    for (const r of results.filter((r) => r.status === "rejected")) expect(r.reason).toMatchObject({ code: "CONFLICT" });

    const [mine] = await user.caller.credits.requests.list();
    const entries = await entriesOf(request.id);
    const { balance } = await user.caller.credits.balance();
    if (mine?.status === "granted") {
      expect(entries).toHaveLength(1);
      expect(balance).toBe(100 + (mine.grantedAmount ?? 0));
      expect(entries[0]?.amount).toBe(mine.grantedAmount);
    } else {
      expect(mine?.status).toBe("declined");
      expect(entries).toHaveLength(0);
      expect(balance).toBe(100);
    }
  });

  it("two grants in flight together (both past their first read, one holding the request): exactly one ledger entry", async () => {
    const admin = await api.signUpAdmin();
    const user = await signedUp();
    const request = await user.caller.credits.requests.create({ amount: 75 });
    // The user's account row is held while both grants start, so they overlap for sure: the first
    // waits for the account, the second for the first. Then the gate opens.
    const { racing } = await side.db.transaction(async (gate) => {
      await gate.select().from(creditAccounts).where(eq(creditAccounts.userId, user.id)).for("update");
      const racing = Promise.allSettled([
        admin.caller.admin.creditRequests.grant({ requestId: request.id }),
        admin.caller.admin.creditRequests.grant({ requestId: request.id }),
      ]);
      await waitForBlocked(gate, 2);
      // Wrapped: returning the promise itself would hold the gate until the racers end.
      return { racing };
    });
    const results = await racing;
    expect(results.map((r) => r.status).sort()).toEqual(["fulfilled", "rejected"]);
    for (const r of results.filter((r) => r.status === "rejected")) expect(r.reason).toMatchObject({ code: "CONFLICT", message: "This request was already granted" });
    expect(await entriesOf(request.id)).toHaveLength(1);
    await expect(user.caller.credits.balance()).resolves.toEqual({ balance: 175, held: 0, available: 175 });
  });
});
