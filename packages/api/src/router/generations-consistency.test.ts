import { randomUUID } from "node:crypto";

import { eq } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";

import type { SessionSnapshot, SessionStatus } from "@spellcast/core";
import { completeSession, failSession, markSessionRunning, sessionSnapshotSchema } from "@spellcast/core";
import { users } from "@spellcast/db";

import { createContext } from "../context";
import { appRouter } from "../root";
import { createApiHarness } from "../testing/api-harness";
import { createCallerFactory } from "../trpc";

// 200 sessions at 2 credits each.
const api = createApiHarness({ startingCredits: 1_000 });
afterAll(() => api.cleanup());
const createCaller = createCallerFactory(appRouter);

const SESSIONS = 200;
const DRIVERS = 16;
const rank: Record<SessionStatus, number> = { queued: 0, running: 1, completed: 2, failed: 2, canceled: 2 };
const SESSION_EVENTS = new Set(["session_created", "session_running", "session_attempt_failed", "session_completed"]);

interface Check {
  eventId: string;
  announced: SessionSnapshot;
  read: SessionSnapshot;
}

describe("invariant: no event announces what a read cannot see", () => {
  it(`for ${SESSIONS} sessions, a read right after each event sees the status and outputs it announced`, async () => {
    const { email, cookie } = await api.signUp("Consistency");
    const [row] = await api.db.select({ id: users.id }).from(users).where(eq(users.email, email));
    if (!row) throw new Error("no user row");
    const headers = new Headers({ cookie });
    const client = createCaller(createContext(api.deps, headers));

    // The subscriber: on every session event, read the session through tRPC at once.
    const ac = new AbortController();
    const reads: Promise<Check>[] = [];
    const terminal = new Set<string>();
    let failure: unknown = null;
    let cursorSeen = false;
    const streaming = (async () => {
      const stream = await createCaller(createContext(api.deps, headers), { signal: ac.signal }).events.stream({});
      for await (const item of stream) {
        if (!Array.isArray(item)) continue;
        const [eventId, event] = item;
        if (event.type === "cursor") cursorSeen = true;
        if (event.type === "cursor" || !SESSION_EVENTS.has(event.type)) continue;
        const announced = sessionSnapshotSchema.parse((event.payload as { session: unknown }).session);
        reads.push(client.generations.get({ id: event.subjectId }).then((read) => ({ eventId, announced, read })));
        if (rank[announced.status] === 2) terminal.add(announced.id);
      }
    })().catch((err: unknown) => {
      if (!ac.signal.aborted) failure = err;
    });

    // The stream starts after its cursor (the newest id when it opened): drive only once it is there.
    while (!cursorSeen && !failure) await new Promise((r) => setTimeout(r, 5));

    // Real transitions through core: created (router) → running → completed or failed.
    const ids: string[] = [];
    let next = 0;
    const drive = async () => {
      for (let i = next++; i < SESSIONS; i = next++) {
        const session = await client.generations.create({
          prompt: `consistency ${i}`,
          params: { size: "512x512" },
          clientKey: randomUUID(),
        });
        ids.push(session.id);
        await markSessionRunning(api.db, { sessionId: session.id, attempt: 1, leaseMs: 60_000 });
        if (i % 2 === 0) {
          const outputs = { kind: "image" as const, storageKey: `sessions/${session.id}.png`, contentType: "image/png" as const, bytes: 1234 };
          await completeSession(api.db, { sessionId: session.id, outputs });
        } else {
          await failSession(api.db, {
            sessionId: session.id,
            failure: {
              providerStatus: 400,
              providerMessage: `Bad prompt ${i}. Request id: req_${i}`,
              providerBody: "{}",
              requestId: `req_${i}`,
              reason: "provider_error",
              attempts: 1,
              fatal: true,
            },
          });
        }
      }
    };
    await Promise.all(Array.from({ length: DRIVERS }, drive));

    const deadline = Date.now() + 20_000;
    while (terminal.size < SESSIONS && !failure && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    ac.abort();
    await streaming;
    expect(failure).toBeNull();
    expect(terminal.size).toBe(SESSIONS);

    const checks = await Promise.all(reads);
    expect(checks.length).toBe(SESSIONS * 3);
    for (const { eventId, announced, read } of checks) {
      const where = `event ${eventId} (${announced.status}) for ${announced.id}`;
      // The read is never behind the event: same status or a later one, never an earlier one.
      expect(rank[read.status], where).toBeGreaterThanOrEqual(rank[announced.status]);
      if (read.status === announced.status) {
        expect(read.outputs, where).toEqual(announced.outputs);
        expect(read.errorDetails, where).toEqual(announced.errorDetails);
      }
      // A terminal event is final: the read is exactly what it announced.
      if (rank[announced.status] === 2) expect(read, where).toEqual(announced);
    }
    expect(new Set(ids).size).toBe(SESSIONS);
  }, 120_000);
});
