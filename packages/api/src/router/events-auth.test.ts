import { afterAll, describe, expect, it } from "vitest";

import { appendEvent } from "@spellcast/core";

import { createContext } from "../context";
import { appRouter } from "../root";
import { createApiHarness } from "../testing/api-harness";
import { createCallerFactory } from "../trpc";

const api = createApiHarness({ startingCredits: 0 });
afterAll(() => api.cleanup());
const createCaller = createCallerFactory(appRouter);

async function until(predicate: () => boolean, what: string, ms = 10_000) {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("events.stream with an API key (a revoked key closes an open stream)", () => {
  it("ends the stream with UNAUTHORIZED at its next wake-up after the key is revoked; the next request is refused too", async () => {
    const user = await api.signUp();
    const me = await user.caller.me();
    const { key, apiKey } = await user.caller.apiKeys.create({ name: "stream test" });
    const headers = new Headers({ authorization: `Bearer ${key}` });
    const ac = new AbortController();
    const keyCaller = createCaller(createContext(api.deps, headers), { signal: ac.signal });

    const items: unknown[] = [];
    let failure: unknown = null;
    let ended = false;
    const done = (async () => {
      for await (const item of await keyCaller.events.stream({})) items.push(item);
    })()
      .catch((err: unknown) => {
        failure = err;
      })
      .finally(() => {
        ended = true;
      });
    try {
      await until(() => items.length === 1, "cursor");
      // Still valid: an event arrives.
      await api.db.transaction((tx) => appendEvent(tx, { userId: me.id, type: "credits_changed", subjectId: "a", payload: {} }));
      await until(() => items.length === 2, "first event");

      await user.caller.apiKeys.revoke({ id: apiKey.id });
      await expect(createCaller(createContext(api.deps, headers)).me()).rejects.toMatchObject({ code: "UNAUTHORIZED" });

      // The next wake-up re-checks the key before reading: the stream ends, and the event is not delivered.
      await api.db.transaction((tx) => appendEvent(tx, { userId: me.id, type: "credits_changed", subjectId: "b", payload: {} }));
      await until(() => ended, "stream end");
      expect(failure).toMatchObject({ code: "UNAUTHORIZED" });
      expect(items).toHaveLength(2);
    } finally {
      ac.abort();
      await done;
    }
  });

  it("a session-cookie stream is not re-checked per wake-up (no API key to revoke)", async () => {
    const user = await api.signUp();
    const me = await user.caller.me();
    const ac = new AbortController();
    const caller = createCaller(createContext(api.deps, new Headers({ cookie: user.cookie })), { signal: ac.signal });
    const items: unknown[] = [];
    const done = (async () => {
      for await (const item of await caller.events.stream({})) items.push(item);
    })().catch(() => undefined);
    try {
      await until(() => items.length === 1, "cursor");
      await api.db.transaction((tx) => appendEvent(tx, { userId: me.id, type: "credits_changed", subjectId: "a", payload: {} }));
      await until(() => items.length === 2, "event");
    } finally {
      ac.abort();
      await done;
    }
  });
});
