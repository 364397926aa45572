import { randomBytes, randomUUID } from "node:crypto";

import { afterAll, describe, expect, it } from "vitest";

import { createDb, users } from "@spellcast/db";

import { testEnv } from "../../../../tooling/test/env";
import { appendEvent, EVENTS_CHANNEL } from "./append-event";
import { createEventHub } from "./event-hub";
import type { EphemeralStreamEvent } from "./schema";

const { db, sql, close } = createDb(testEnv().databaseUrl, { max: 4, appName: "events-hub-test" });
const opened: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const end of opened) await end();
  await close();
});

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** A hub on its own listener connection, named so the test can find and kill exactly it. */
function openHub() {
  const appName = `events-hub-test-${randomBytes(4).toString("hex")}`;
  const listener = createDb(testEnv().databaseUrl, { max: 1, appName });
  const hub = createEventHub({ sql: listener.sql, logger: silent });
  opened.push(async () => {
    await hub.close();
    await listener.close();
  });
  const backend = () =>
    sql<{ pid: number; query: string }[]>`select pid, query from pg_stat_activity where application_name = ${appName}`;
  return { hub, appName, backend };
}

async function newUsers(n: number): Promise<string[]> {
  const rows = Array.from({ length: n }, () => {
    const id = `u_${randomUUID()}`;
    return { id, name: id, email: `${id}@test.spellcast`, role: "user" };
  });
  await db.insert(users).values(rows);
  return rows.map((r) => r.id);
}

function counter() {
  const c = { n: 0, wake: () => void c.n++ };
  return c;
}

async function waitFor(predicate: () => boolean, what: string, ms = 10_000) {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
const settle = () => new Promise((r) => setTimeout(r, 150));

describe("event hub", () => {
  it("connects nothing until the first subscriber, then holds one LISTEN connection", async () => {
    const { hub, backend } = openHub();
    await settle();
    expect(await backend()).toHaveLength(0);
    const [a, b] = await newUsers(2);
    const offA = hub.subscribe(a ?? "", () => undefined);
    const offB = hub.subscribe(b ?? "", () => undefined);
    await hub.ready();
    const rows = await backend();
    expect(rows).toHaveLength(1);
    expect(rows[0]?.query).toMatch(/^listen "spellcast_events"/i);
    expect(hub.stats()).toMatchObject({ users: 2, subscribers: 2, listening: true, listens: 1 });
    offA();
    offA();
    offB();
    expect(hub.stats()).toMatchObject({ users: 0, subscribers: 0 });
  });

  it("a notify for user A wakes only A's subscribers", async () => {
    const { hub } = openHub();
    const [a, b] = await newUsers(2);
    const wa1 = counter();
    const wa2 = counter();
    const wb = counter();
    hub.subscribe(a ?? "", wa1.wake);
    hub.subscribe(a ?? "", wa2.wake);
    const offB = hub.subscribe(b ?? "", wb.wake);
    await hub.ready();
    // The first LISTEN wakes everyone subscribed before it was up (one redundant read): start over.
    [wa1.n, wa2.n, wb.n] = [0, 0, 0];
    await db.transaction((tx) => appendEvent(tx, { userId: a ?? "", type: "session_created", subjectId: "s", payload: {} }));
    await waitFor(() => wa1.n >= 1 && wa2.n >= 1, "A's wake-ups");
    await settle();
    expect(wb.n).toBe(0);
    await sql`select pg_notify(${EVENTS_CHANNEL}, ${b ?? ""})`;
    await waitFor(() => wb.n === 1, "B's wake-up");
    offB();
    await sql`select pg_notify(${EVENTS_CHANNEL}, ${b ?? ""})`;
    await settle();
    expect(wb.n).toBe(1);
  });

  it("publishEphemeral reaches only that user's subscribers", async () => {
    const { hub } = openHub();
    const [a, b] = await newUsers(2);
    const gotA: EphemeralStreamEvent[] = [];
    const gotB: EphemeralStreamEvent[] = [];
    hub.subscribe(a ?? "", () => undefined, (e) => gotA.push(e));
    hub.subscribe(a ?? "", () => undefined); // no ephemeral handler: not counted
    hub.subscribe(b ?? "", () => undefined, (e) => gotB.push(e));
    const progress: EphemeralStreamEvent = { type: "progress", subjectId: "sess", progress: { step: 2, of: 5 } };
    expect(hub.publishEphemeral(a ?? "", progress)).toBe(1);
    expect(hub.publishEphemeral("nobody", progress)).toBe(0);
    expect(gotA).toEqual([progress]);
    expect(gotB).toEqual([]);
  });

  it("after the LISTEN connection is killed, postgres-js re-LISTENs and every subscriber is woken to catch up", async () => {
    const { hub, backend } = openHub();
    const [a, b] = await newUsers(2);
    const wa = counter();
    const wb = counter();
    hub.subscribe(a ?? "", wa.wake);
    hub.subscribe(b ?? "", wb.wake);
    await hub.ready();
    await settle();
    const [before] = await backend();
    const [baseA, baseB] = [wa.n, wb.n];
    await sql`select pg_terminate_backend(${before?.pid ?? 0})`;
    await waitFor(() => hub.stats().listens === 2, "re-LISTEN");
    // No notification was sent: the wake-ups come from the reconnect alone.
    expect(wa.n).toBeGreaterThan(baseA);
    expect(wb.n).toBeGreaterThan(baseB);
    const [after] = await backend();
    expect(after?.pid).not.toBe(before?.pid);
    const n = wa.n;
    await sql`select pg_notify(${EVENTS_CHANNEL}, ${a ?? ""})`;
    await waitFor(() => wa.n === n + 1, "a wake-up over the new connection");
  });

  it("close() wakes subscribers, ends LISTEN and refuses new subscribers", async () => {
    const { hub, backend } = openHub();
    const [a] = await newUsers(1);
    const wa = counter();
    hub.subscribe(a ?? "", wa.wake);
    await hub.ready();
    await settle();
    const n = wa.n;
    await hub.close();
    expect(hub.closed).toBe(true);
    expect(wa.n).toBe(n + 1);
    const rows = await backend();
    expect(rows.every((r) => !/^listen/i.test(r.query))).toBe(true);
    await sql`select pg_notify(${EVENTS_CHANNEL}, ${a ?? ""})`;
    await settle();
    expect(wa.n).toBe(n + 1);
    expect(() => hub.subscribe(a ?? "", () => undefined)).toThrow(/closed/);
    await expect(hub.ready()).rejects.toThrow(/closed/);
    await hub.close();
    expect(hub.stats()).toMatchObject({ subscribers: 0, listening: false });
  });
});
