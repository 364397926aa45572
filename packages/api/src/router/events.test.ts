import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { eq } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";

import type { EphemeralStreamEvent } from "@spellcast/core";
import { appendEvent, createEventHub } from "@spellcast/core";
import { events, users } from "@spellcast/db";

import { createContext } from "../context";
import { appRouter } from "../root";
import { createApiHarness } from "../testing/api-harness";
import { openStream as openStreamWith, waitFor } from "../testing/open-stream";

// No welcome grant: these tests count every event in a new user's log.
const api = createApiHarness({ startingCredits: 0 });
afterAll(() => api.cleanup());

/** events.stream as `cookie`'s user sees it (`deps`: another hub, for the shutdown test). */
const openStream = (cookie: string, lastEventId?: string | null, deps = api.deps) => openStreamWith(deps, cookie, { lastEventId });

async function append(userId: string, n = 1, type: "session_created" | "credits_changed" = "session_created") {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const id = await api.db.transaction((tx) => appendEvent(tx, { userId, type, subjectId: `s${i}`, payload: { i } }));
    ids.push(String(id));
  }
  return ids;
}

async function userIdOf(email: string): Promise<string> {
  const [row] = await api.db.select({ id: users.id }).from(users).where(eq(users.email, email));
  if (!row) throw new Error("user not found");
  return row.id;
}

async function signedUp() {
  const u = await api.signUp();
  return { ...u, id: await userIdOf(u.email) };
}

describe("events.stream (invariant 5: resume after lastEventId, in order, no duplicates)", () => {
  it("live: events appended after subscribing arrive in order, once each, and only the caller's own", async () => {
    const [alice, bob] = await Promise.all([signedUp(), signedUp()]);
    const stream = openStream(alice.cookie);
    try {
      await stream.until(() => stream.items.length === 1, "cursor");
      const mine = await append(alice.id, 5);
      await append(bob.id, 3);
      const more = await append(alice.id, 2);
      await stream.until(() => stream.logIds().length >= 7, "7 events");
      await new Promise((r) => setTimeout(r, 100));
      expect(stream.logIds()).toEqual([...mine, ...more]);
      for (const item of stream.items) {
        if (Array.isArray(item) && item[1].type !== "cursor") {
          expect(item[1]).toMatchObject({ id: item[0], type: "session_created", subjectId: expect.any(String) });
          expect(Date.parse(item[1].createdAt)).not.toBeNaN();
        }
      }
    } finally {
      await stream.stop();
    }
    expect(stream.failure()).toBeNull();
  });

  it("resume: a stream reopened with lastEventId gets exactly the missed events, in order", async () => {
    const alice = await signedUp();
    const first = openStream(alice.cookie);
    await first.until(() => first.items.length === 1, "cursor");
    const firstThree = await append(alice.id, 3);
    await first.until(() => first.logIds().length === 3, "3 events");
    await first.stop();
    expect(first.logIds()).toEqual(firstThree);

    const missed = await append(alice.id, 5);
    const second = openStream(alice.cookie, firstThree[2]);
    try {
      await second.until(() => second.logIds().length >= 5, "5 missed events");
      const later = await append(alice.id, 1);
      await second.until(() => second.logIds().length >= 6, "the next live event");
      await new Promise((r) => setTimeout(r, 100));
      expect(second.logIds()).toEqual([...missed, ...later]);
      // A stream with lastEventId starts with the backlog, not with a cursor.
      expect(second.items.every((i) => Array.isArray(i) && i[1].type !== "cursor")).toBe(true);
    } finally {
      await second.stop();
    }
  });

  it("backfills a backlog larger than one batch in order", async () => {
    const alice = await signedUp();
    const rows = Array.from({ length: 1_203 }, (_, i) => ({ i }));
    await api.db.transaction(async (tx) => {
      for (const payload of rows) await appendEvent(tx, { userId: alice.id, type: "credits_changed", subjectId: "acct", payload });
    });
    const stream = openStream(alice.cookie, "0");
    try {
      await stream.until(() => stream.logIds().length >= 1_203, "1,203 events", 20_000);
      const ids = stream.logIds().map(BigInt);
      expect(new Set(ids).size).toBe(1_203);
      expect(ids.every((id, k) => k === 0 || id > (ids[k - 1] ?? 0n))).toBe(true);
    } finally {
      await stream.stop();
    }
  });

  it("no lastEventId: a tracked cursor at the user's newest id comes first, then what follows", async () => {
    const alice = await signedUp();
    const fresh = openStream(alice.cookie);
    await fresh.until(() => fresh.items.length === 1, "cursor");
    expect(fresh.items[0]).toEqual(["0", { id: "0", type: "cursor" }, expect.anything()]);
    await fresh.stop();

    const before = await append(alice.id, 2);
    const stream = openStream(alice.cookie, null);
    try {
      await stream.until(() => stream.items.length === 1, "cursor");
      expect(stream.items[0]).toEqual([before[1], { id: before[1], type: "cursor" }, expect.anything()]);
      const after = await append(alice.id, 2);
      await stream.until(() => stream.logIds().length >= 2, "2 events");
      expect(stream.logIds()).toEqual(after);
    } finally {
      await stream.stop();
    }
  });

  it("listener killed mid-run: every one of 200 concurrently written events arrives, in order, once", async () => {
    const alice = await signedUp();
    const stream = openStream(alice.cookie);
    try {
      await stream.until(() => stream.items.length === 1, "cursor");
      const listensBefore = api.eventHub.stats().listens;
      const kill = () =>
        api.sql`select pg_terminate_backend(pid) as killed from pg_stat_activity
                where application_name = ${api.listenerAppName} and query ilike 'listen%'`;
      // 8 concurrent writers, 25 transactions each; the listener is killed twice while they run.
      let written = 0;
      const writer = async () => {
        for (let k = 0; k < 25; k++) {
          await append(alice.id, 1, "credits_changed");
          written++;
        }
      };
      const writers = Promise.all(Array.from({ length: 8 }, writer));
      await waitFor(() => written >= 40, "40 writes");
      expect((await kill()).length).toBe(1);
      await waitFor(() => api.eventHub.stats().listens > listensBefore, "re-LISTEN");
      await waitFor(() => written >= 120, "120 writes");
      expect((await kill()).length).toBe(1);
      await writers;
      await stream.until(() => stream.logIds().length >= 200, "200 events", 20_000);
      await new Promise((r) => setTimeout(r, 100));
      const ids = stream.logIds().map(BigInt);
      expect(ids).toHaveLength(200);
      expect(ids.every((id, k) => k === 0 || id > (ids[k - 1] ?? 0n))).toBe(true);
      await waitFor(() => api.eventHub.stats().listens >= listensBefore + 2, "second re-LISTEN");
    } finally {
      await stream.stop();
    }
    expect(stream.failure()).toBeNull();
  });

  it("a notification lost while the listener was down is caught up from the table after re-LISTEN", async () => {
    const alice = await signedUp();
    const stream = openStream(alice.cookie);
    try {
      await stream.until(() => stream.items.length === 1, "cursor");
      // An event committed with no NOTIFY stands for one sent while nobody was listening.
      const [row] = await api.db
        .insert(events)
        .values({ userId: alice.id, type: "session_completed", subjectId: "quiet", payload: {} })
        .returning({ id: events.id });
      await new Promise((r) => setTimeout(r, 150));
      expect(stream.logIds()).toEqual([]);
      const listens = api.eventHub.stats().listens;
      await api.sql`select pg_terminate_backend(pid) from pg_stat_activity where application_name = ${api.listenerAppName}`;
      await stream.until(() => stream.logIds().length === 1, "the caught-up event");
      expect(stream.logIds()).toEqual([String(row?.id)]);
      expect(api.eventHub.stats().listens).toBeGreaterThan(listens);
    } finally {
      await stream.stop();
    }
  });

  it("out-of-order commit attempt: the earlier append commits first, the subscriber never skips it", async () => {
    const alice = await signedUp();
    const stream = openStream(alice.cookie);
    try {
      await stream.until(() => stream.items.length === 1, "cursor");
      let releaseFirst = () => undefined as void;
      const held = new Promise<void>((r) => (releaseFirst = r));
      let firstId = "";
      let firstAppended = () => undefined as void;
      const appended = new Promise<void>((r) => (firstAppended = r));
      // First transaction appends, then stays open.
      const first = api.db.transaction(async (tx) => {
        firstId = String(await appendEvent(tx, { userId: alice.id, type: "session_created", subjectId: "early", payload: {} }));
        firstAppended();
        await held;
      });
      await appended;
      // Second transaction appends later and would commit first; it waits on the user's lock.
      let secondDone = false;
      const second = append(alice.id, 1).then((ids) => {
        secondDone = true;
        return ids;
      });
      await new Promise((r) => setTimeout(r, 300));
      expect(secondDone).toBe(false);
      const waiting = await api.sql`select count(*)::int as n from pg_locks where locktype = 'advisory' and not granted`;
      expect(waiting[0]?.n).toBeGreaterThanOrEqual(1);
      expect(stream.logIds()).toEqual([]);
      releaseFirst();
      await first;
      const [secondId] = await second;
      expect(BigInt(secondId ?? "0")).toBeGreaterThan(BigInt(firstId));
      await stream.until(() => stream.logIds().length >= 2, "both events");
      expect(stream.logIds()).toEqual([firstId, secondId]);
    } finally {
      await stream.stop();
    }
  });

  it("ephemeral progress reaches only that user's live streams, untracked", async () => {
    const [alice, bob] = await Promise.all([signedUp(), signedUp()]);
    const a = openStream(alice.cookie);
    const b = openStream(bob.cookie);
    try {
      await a.until(() => a.items.length === 1, "cursor a");
      await b.until(() => b.items.length === 1, "cursor b");
      const progress: EphemeralStreamEvent = { type: "progress", subjectId: "sess_1", progress: 42 };
      expect(api.eventHub.publishEphemeral(alice.id, progress)).toBe(1);
      await a.until(() => a.items.length === 2, "progress");
      expect(a.items[1]).toEqual(progress);
      const [id] = await append(bob.id, 1);
      await b.until(() => b.logIds().length === 1, "bob's event");
      expect(b.logIds()).toEqual([id]);
      expect(b.items.some((i) => !Array.isArray(i))).toBe(false);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it("a closing hub ends open streams with SERVICE_UNAVAILABLE (clients retry and resume)", async () => {
    const alice = await signedUp();
    const hub = createEventHub({ sql: api.sql, logger: api.deps.logger });
    const stream = openStream(alice.cookie, null, { ...api.deps, eventHub: hub });
    await stream.until(() => stream.items.length === 1, "cursor");
    await hub.close();
    await waitFor(() => stream.failure() !== null, "the stream to end");
    expect(stream.failure()).toMatchObject({ code: "SERVICE_UNAVAILABLE" });
    await stream.stop();
  });

  it("over HTTP (SSE): ids go out as `id:` lines and a Last-Event-ID header resumes after that id", async () => {
    const alice = await signedUp();
    const ids = await append(alice.id, 3);
    const ac = new AbortController();
    const input = encodeURIComponent(JSON.stringify({ json: { lastEventId: null } }));
    const req = new Request(`http://localhost/api/trpc/events.stream?input=${input}`, {
      headers: { cookie: alice.cookie, "last-event-id": ids[0] ?? "" },
      signal: ac.signal,
    });
    const res = await fetchRequestHandler({
      endpoint: "/api/trpc",
      req,
      router: appRouter,
      createContext: () => createContext(api.deps, req.headers),
    });
    expect(res.headers.get("content-type")).toMatch(/text\/event-stream/);
    const reader = res.body?.getReader();
    if (!reader) throw new Error("no body");
    let text = "";
    const sseIds = () => [...text.matchAll(/^id: ?(\S+)$/gm)].map((m) => m[1]);
    const deadline = Date.now() + 10_000;
    try {
      while (sseIds().length < 2 && Date.now() < deadline) {
        const { value, done } = await reader.read();
        if (done) break;
        text += new TextDecoder().decode(value);
      }
    } finally {
      ac.abort();
      await reader.cancel().catch(() => undefined);
    }
    expect(sseIds()).toEqual(ids.slice(1));
    expect(text).not.toContain('"cursor"');
  });

  it("rejects anonymous callers and malformed cursors", async () => {
    const anon = openStream("");
    await waitFor(() => anon.failure() !== null, "anonymous failure");
    expect(anon.failure()).toMatchObject({ code: "UNAUTHORIZED" });
    const alice = await signedUp();
    const bad = openStream(alice.cookie, "12abc");
    await waitFor(() => bad.failure() !== null, "bad input failure");
    expect(bad.failure()).toMatchObject({ code: "BAD_REQUEST" });
    const huge = openStream(alice.cookie, "99999999999999999999");
    await waitFor(() => huge.failure() !== null, "out of range failure");
    expect(huge.failure()).toMatchObject({ code: "BAD_REQUEST" });
    await Promise.all([anon.stop(), bad.stop(), huge.stop()]);
  });
});
