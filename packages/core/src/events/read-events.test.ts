import { randomUUID } from "node:crypto";

import { afterAll, describe, expect, it } from "vitest";

import { createDb, events, users } from "@spellcast/db";

import { testEnv } from "../../../../tooling/test/env";
import { appendEvent } from "./append-event";
import { readEventsAfter, readLatestEventId, toLogStreamEvent } from "./read-events";

const { db, close } = createDb(testEnv().databaseUrl, { max: 6, appName: "events-read-test" });
afterAll(() => close());

async function newUser(): Promise<string> {
  const id = `u_${randomUUID()}`;
  await db.insert(users).values({ id, name: id, email: `${id}@test.spellcast`, role: "user" });
  return id;
}

const append = (userId: string, subjectId: string) =>
  db.transaction((tx) => appendEvent(tx, { userId, type: "session_created", subjectId, payload: { subjectId } }));

/** A promise with its resolver, to hold a transaction open. */
function gate() {
  let open = () => undefined as void;
  const opened = new Promise<void>((r) => (open = r));
  return { open, opened };
}

describe("readEventsAfter", () => {
  it("returns only that user's events after the cursor, ascending, at most limit", async () => {
    const [alice, bob] = [await newUser(), await newUser()];
    const ids: bigint[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push(await append(alice, `a${i}`));
      await append(bob, `b${i}`);
    }
    const all = await readEventsAfter(db, { userId: alice, afterId: null, limit: 100 });
    expect(all.map((e) => e.id)).toEqual(ids);
    expect(all.map((e) => e.subjectId)).toEqual(["a0", "a1", "a2", "a3", "a4"]);
    const page = await readEventsAfter(db, { userId: alice, afterId: ids[1] ?? null, limit: 2 });
    expect(page.map((e) => e.id)).toEqual(ids.slice(2, 4));
    expect(await readEventsAfter(db, { userId: alice, afterId: ids[4] ?? null, limit: 10 })).toEqual([]);
    expect(await readLatestEventId(db, alice)).toBe(ids[4]);
    expect(await readLatestEventId(db, await newUser())).toBeNull();
  });

  it("maps rows to the streamed shape and drops types this build does not know", async () => {
    const alice = await newUser();
    const id = await append(alice, "s1");
    const [row] = await readEventsAfter(db, { userId: alice, afterId: null, limit: 1 });
    if (!row) throw new Error("no row");
    expect(toLogStreamEvent(row)).toEqual({
      id: String(id),
      type: "session_created",
      subjectId: "s1",
      payload: { subjectId: "s1" },
      createdAt: row.createdAt.toISOString(),
    });
    expect(toLogStreamEvent({ ...row, type: "from_the_future" })).toBeNull();
  });
});

describe("invariant 5: per user, event ids become visible in id order", () => {
  it("without appendEvent's lock a larger id can be visible before a smaller one (the hazard)", async () => {
    const alice = await newUser();
    const hold = gate();
    const inserted = gate();
    let early = 0n;
    // Plain inserts, no lock: the first takes the smaller id and commits last.
    const first = db.transaction(async (tx) => {
      const [row] = await tx.insert(events).values({ userId: alice, type: "session_created", subjectId: "early", payload: {} }).returning({ id: events.id });
      early = row?.id ?? 0n;
      inserted.open();
      await hold.opened;
    });
    await inserted.opened;
    const [late] = await db.insert(events).values({ userId: alice, type: "session_created", subjectId: "late", payload: {} }).returning({ id: events.id });
    const seen = await readEventsAfter(db, { userId: alice, afterId: null, limit: 10 });
    // A cursor at `late` would now skip `early` forever.
    expect(seen.map((e) => e.id)).toEqual([late?.id]);
    expect(late?.id ?? 0n).toBeGreaterThan(early);
    hold.open();
    await first;
  });

  it("with appendEvent a later append waits for the earlier one to commit and gets the larger id", async () => {
    const alice = await newUser();
    const bob = await newUser();
    const hold = gate();
    const appended = gate();
    let early = 0n;
    const first = db.transaction(async (tx) => {
      early = await appendEvent(tx, { userId: alice, type: "session_created", subjectId: "early", payload: {} });
      appended.open();
      await hold.opened;
    });
    await appended.opened;
    let lateDone = false;
    const late = append(alice, "late").then((id) => ((lateDone = true), id));
    // Another user's append is not held up.
    await append(bob, "other");
    await new Promise((r) => setTimeout(r, 300));
    expect(lateDone).toBe(false);
    expect(await readEventsAfter(db, { userId: alice, afterId: null, limit: 10 })).toEqual([]);
    hold.open();
    await first;
    const lateId = await late;
    expect(lateId).toBeGreaterThan(early);
    const seen = await readEventsAfter(db, { userId: alice, afterId: null, limit: 10 });
    expect(seen.map((e) => e.id)).toEqual([early, lateId]);
  });
});
