import { randomUUID } from "node:crypto";

import { afterAll, describe, expect, it } from "vitest";

import { createDb, users } from "@spellcast/db";

import { testEnv } from "../../../../tooling/test/env";
import { appendEvent, withEventsLast } from "./append-event";
import { readEventsAfter } from "./read-events";

const { db, close } = createDb(testEnv().databaseUrl, { max: 4, appName: "events-last-test" });
afterAll(() => close());

async function newUser(): Promise<string> {
  const id = `u_${randomUUID()}`;
  await db.insert(users).values({ id, name: id, email: `${id}@test.spellcast`, role: "user" });
  return id;
}

describe("withEventsLast", () => {
  it("writes the held events at the end, in order; another transaction of the user may append meanwhile", async () => {
    const userId = await newUser();
    let release = () => undefined as void;
    const paused = new Promise<void>((r) => (release = r));
    let appended = () => undefined as void;
    const heldBack = new Promise<void>((r) => (appended = r));
    const long = db.transaction((tx) =>
      withEventsLast(tx, async () => {
        for (const s of ["a", "b", "c"]) await appendEvent(tx, { userId, type: "session_created", subjectId: s, payload: {} });
        appended();
        await paused;
      }),
    );
    await heldBack;
    // Not blocked by the long transaction's body: it holds no event lock yet.
    await db.transaction((tx) => appendEvent(tx, { userId, type: "session_running", subjectId: "short", payload: {} }));
    release();
    await long;
    const rows = await readEventsAfter(db, { userId, afterId: null, limit: 10 });
    expect(rows.map((r) => r.subjectId)).toEqual(["short", "a", "b", "c"]);
  });

  it("writes nothing when the work throws", async () => {
    const userId = await newUser();
    await expect(
      db.transaction((tx) =>
        withEventsLast(tx, async () => {
          await appendEvent(tx, { userId, type: "session_created", subjectId: "x", payload: {} });
          throw new Error("boom");
        }),
      ),
    ).rejects.toThrow("boom");
    expect(await readEventsAfter(db, { userId, afterId: null, limit: 10 })).toEqual([]);
  });
});
