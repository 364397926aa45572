import { randomUUID } from "node:crypto";

import { TRPCError } from "@trpc/server";
import { asc, count, eq } from "drizzle-orm";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";

import { markSessionRunning, reserveCredits } from "@spellcast/core";
import { events, generationSessions, ledgerEntries, reservations, users } from "@spellcast/db";
import { cancelChannel, generationJobId, QueueName, QueueUnavailableError } from "@spellcast/queue";

import { createContext } from "../context";
import { appRouter } from "../root";
import { createApiHarness } from "../testing/api-harness";
import { createCallerFactory } from "../trpc";

const api = createApiHarness();
const queue = api.producers.queue(QueueName.generation);
afterAll(() => api.cleanup());
const createCaller = createCallerFactory(appRouter);

async function signedUp() {
  const u = await api.signUp();
  const [row] = await api.db.select({ id: users.id }).from(users).where(eq(users.email, u.email));
  if (!row) throw new Error("no user row");
  return { ...u, id: row.id };
}

type CreateInput = Parameters<ReturnType<typeof api.callerFor>["generations"]["create"]>[0];

const request = (over: Partial<CreateInput> = {}): CreateInput => ({
  prompt: "a lighthouse at dusk",
  params: { size: "1024x1024" },
  clientKey: randomUUID(),
  ...over,
});

/** Everything a refused call must leave untouched for this user. */
async function writtenFor(userId: string) {
  const n = async (table: typeof events | typeof ledgerEntries | typeof generationSessions) => {
    const [row] = await api.db.select({ n: count() }).from(table).where(eq(table.userId, userId));
    return row?.n;
  };
  return { sessions: await n(generationSessions), entries: await n(ledgerEntries), events: await n(events) };
}

/** The user's jobs in this harness's queue key space. */
async function jobsOf(userId: string) {
  const jobs = await queue.getJobs(["waiting", "active", "delayed", "prioritized"]);
  return jobs.filter((j) => (j.data as { userId?: string }).userId === userId);
}

async function expectCode(promise: Promise<unknown>, code: TRPCError["code"]) {
  const err: unknown = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TRPCError);
  expect((err as TRPCError).code).toBe(code);
}

describe("generations.create", () => {
  it("reserves the cost, writes session_created and enqueues one job gen_<id> with the session's attempts", async () => {
    const user = await signedUp();
    const session = await user.caller.generations.create(request());
    expect(session).toMatchObject({ status: "queued", cost: 4, maxAttempts: 3, prompt: "a lighthouse at dusk" });
    await expect(user.caller.credits.balance()).resolves.toEqual({ balance: 100, held: 4, available: 96 });

    const jobs = await jobsOf(user.id);
    expect(jobs).toHaveLength(1);
    expect(jobs[0]?.id).toBe(generationJobId(session.id));
    expect(jobs[0]?.opts.attempts).toBe(3);
    expect(jobs[0]?.data).toEqual({ sessionId: session.id, userId: user.id });

    const [evt] = await api.db.select().from(events).where(eq(events.subjectId, session.id));
    expect(evt?.type).toBe("session_created");
    expect(evt?.payload).toEqual({ session });

    // The credits page names the hold by the generation's prompt, so it links to that generation.
    const history = await user.caller.credits.history({ limit: 5 });
    expect(history.items.find((e) => e.kind === "reserve")?.subject).toEqual({ kind: "generation", sessionId: session.id, prompt: "a lighthouse at dusk" });
  });

  it("the same clientKey sent 20 times at once: one session, one reservation, one job", async () => {
    const user = await signedUp();
    const input = request({ params: { size: "512x512", seed: 7 } });
    const results = await Promise.all(Array.from({ length: 20 }, () => user.caller.generations.create(input)));
    expect(new Set(results.map((s) => s.id)).size).toBe(1);
    const holds = await api.db.select().from(reservations).where(eq(reservations.userId, user.id));
    expect(holds).toHaveLength(1);
    expect(holds[0]?.amount).toBe(2);
    expect(await jobsOf(user.id)).toHaveLength(1);
    await expect(user.caller.credits.balance()).resolves.toMatchObject({ held: 2, available: 98 });
    expect((await user.caller.generations.list({})).items).toHaveLength(1);
  });

  it("records the seed it was asked for, and draws one when none was asked for, so every image can be drawn again", async () => {
    const user = await signedUp();
    const chosen = await user.caller.generations.create(request({ params: { size: "512x512", seed: 7 } }));
    expect(chosen.params).toMatchObject({ size: "512x512", seed: 7 });
    const drawn = await Promise.all([1, 2, 3].map(() => user.caller.generations.create(request({ params: { size: "512x512" } }))));
    const seeds = drawn.map((s) => s.params.seed);
    for (const seed of seeds) expect(Number.isInteger(seed) && Number(seed) >= 0 && Number(seed) < 2 ** 31).toBe(true);
    // Drawn at random: three alike would mean one fixed seed.
    expect(new Set(seeds).size).toBeGreaterThan(1);
  });

  it("insufficient credits → PAYMENT_REQUIRED, nothing created, nothing enqueued", async () => {
    const user = await signedUp();
    await reserveCredits(api.db, { userId: user.id, amount: 97, subject: { type: "adjustment", id: "x" }, key: `t:${user.id}` });
    const before = await writtenFor(user.id);
    await expectCode(user.caller.generations.create(request()), "PAYMENT_REQUIRED");
    expect(await writtenFor(user.id)).toEqual(before);
    expect(await jobsOf(user.id)).toHaveLength(0);
  });

  it.each([
    ["an empty prompt", { prompt: "" }],
    ["a blank prompt", { prompt: "   " }],
    ["a 4,001-character prompt", { prompt: "x".repeat(4001) }],
    ["an unknown parameter", { params: { size: "1024x1024", steps: 30 } }],
    ["an unknown top-level field", { priority: 1 }],
    ["a size of the wrong type", { params: { size: 1024 } }],
    ["a negative size", { params: { size: "-512x-512" } }],
    ["a negative seed", { params: { size: "512x512", seed: -1 } }],
    ["a prompt of the wrong type", { prompt: 42 }],
    ["a missing clientKey", { clientKey: undefined }],
  ])("%s → BAD_REQUEST, nothing written or charged", async (_name, over) => {
    const user = await signedUp();
    const before = await writtenFor(user.id);
    // Deliberately malformed input, as a raw client could send it.
    const bad = request(over as unknown as Partial<CreateInput>);
    await expectCode(user.caller.generations.create(bad), "BAD_REQUEST");
    expect(await writtenFor(user.id)).toEqual(before);
    await expect(user.caller.credits.balance()).resolves.toEqual({ balance: 100, held: 0, available: 100 });
  });

  it("Redis unreachable at enqueue: the session is still returned (the sweeper enqueues it later)", async () => {
    const user = await signedUp();
    const deps = {
      ...api.deps,
      generationJobs: { ...api.deps.generationJobs, enqueue: () => Promise.reject(new QueueUnavailableError("down")) },
    };
    const caller = createCaller(createContext(deps, new Headers({ cookie: user.cookie })));
    const session = await caller.generations.create(request());
    expect(session.status).toBe("queued");
    await expect(user.caller.generations.get({ id: session.id })).resolves.toEqual(session);
  });
});

describe("generations.list / get", () => {
  it("pages newest first with a keyset cursor; get returns the same snapshot", async () => {
    const user = await signedUp();
    const made = [];
    for (let i = 0; i < 5; i++) made.push(await user.caller.generations.create(request({ params: { size: "512x512" } })));
    const first = await user.caller.generations.list({ limit: 2 });
    const second = await user.caller.generations.list({ limit: 2, cursor: first.nextCursor });
    const third = await user.caller.generations.list({ limit: 2, cursor: second.nextCursor });
    expect(third.nextCursor).toBeNull();
    const ids = [...first.items, ...second.items, ...third.items].map((s) => s.id);
    expect(ids).toEqual(made.map((s) => s.id).reverse());
    const last = made.at(-1);
    if (!last) throw new Error("nothing made");
    await expect(user.caller.generations.get({ id: last.id })).resolves.toEqual(first.items[0]);
  });

  it("bad limits and ids → BAD_REQUEST; an unknown id → NOT_FOUND", async () => {
    const user = await signedUp();
    await expectCode(user.caller.generations.list({ limit: 0 }), "BAD_REQUEST");
    await expectCode(user.caller.generations.list({ limit: 51 }), "BAD_REQUEST");
    await expectCode(user.caller.generations.get({ id: "not-a-uuid" }), "BAD_REQUEST");
    await expectCode(user.caller.generations.get({ id: randomUUID() }), "NOT_FOUND");
    await expectCode(user.caller.generations.cancel({ id: randomUUID() }), "NOT_FOUND");
  });

  it("without a session or key → UNAUTHORIZED", async () => {
    await expectCode(api.callerFor().generations.list({}), "UNAUTHORIZED");
    await expectCode(api.callerFor().generations.create(request()), "UNAUTHORIZED");
  });

  it("pricing lists every size with its cost", async () => {
    const pricing = await api.callerFor().generations.pricing();
    expect(pricing.defaultSize).toBe("1024x1024");
    expect(pricing.sizes).toContainEqual({ size: "512x512", cost: 2 });
    expect(pricing.sizes).toContainEqual({ size: "1536x1024", cost: 6 });
  });
});

describe("access: another user's session is invisible", () => {
  it("cannot get, cancel, list, or receive the events of my session", async () => {
    const [alice, bob] = await Promise.all([signedUp(), signedUp()]);
    const ac = new AbortController();
    const bobStream = createCaller(createContext(api.deps, new Headers({ cookie: bob.cookie })), { signal: ac.signal });
    const bobSeen: unknown[] = [];
    const reading = (async () => {
      for await (const item of await bobStream.events.stream({})) bobSeen.push(item);
    })().catch(() => undefined);
    // Bob's stream is live (its cursor arrived) before Alice does anything.
    const deadline = Date.now() + 10_000;
    while (bobSeen.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    expect(bobSeen.length).toBeGreaterThan(0);
    const session = await alice.caller.generations.create(request());

    await expectCode(bob.caller.generations.get({ id: session.id }), "NOT_FOUND");
    await expectCode(bob.caller.generations.cancel({ id: session.id }), "NOT_FOUND");
    expect((await bob.caller.generations.list({})).items).toEqual([]);
    // Alice's session is untouched by Bob's attempts.
    await expect(alice.caller.generations.get({ id: session.id })).resolves.toMatchObject({ status: "queued" });
    await alice.caller.generations.cancel({ id: session.id });
    await new Promise((r) => setTimeout(r, 300));
    ac.abort();
    await reading;
    // Bob got his cursor (and his own welcome grant's event, if any), never Alice's session.
    expect(JSON.stringify(bobSeen)).not.toContain(session.id);
  });
});

describe("generations.cancel", () => {
  it("a queued session: canceled, refunded, job removed, session_completed written", async () => {
    const user = await signedUp();
    const session = await user.caller.generations.create(request());
    expect(await queue.getJob(generationJobId(session.id))).toBeTruthy();
    const canceled = await user.caller.generations.cancel({ id: session.id });
    expect(canceled.status).toBe("canceled");
    expect(canceled.completedAt).not.toBeNull();
    expect(await queue.getJob(generationJobId(session.id))).toBeUndefined();
    await expect(user.caller.credits.balance()).resolves.toEqual({ balance: 100, held: 0, available: 100 });
    const rows = await api.db.select().from(events).where(eq(events.subjectId, session.id)).orderBy(asc(events.id));
    const types = rows.map((e) => e.type);
    expect(types).toEqual(["session_created", "session_completed"]);
    await expectCode(user.caller.generations.cancel({ id: session.id }), "CONFLICT");
  });

  it("a running session: canceled, refunded, and the abort is published on the cancel channel", async () => {
    const user = await signedUp();
    const session = await user.caller.generations.create(request());
    await markSessionRunning(api.db, { sessionId: session.id, attempt: 1, leaseMs: 60_000 });
    const sub = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
    try {
      const heard: string[] = [];
      sub.on("message", (_channel: string, message: string) => heard.push(message));
      await sub.subscribe(cancelChannel(api.producers.prefix));
      const canceled = await user.caller.generations.cancel({ id: session.id });
      expect(canceled.status).toBe("canceled");
      const deadline = Date.now() + 5_000;
      while (!heard.includes(session.id) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(heard).toContain(session.id);
      await expect(user.caller.credits.balance()).resolves.toEqual({ balance: 100, held: 0, available: 100 });
    } finally {
      sub.disconnect();
    }
  });
});
