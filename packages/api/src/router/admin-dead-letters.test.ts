import { randomUUID } from "node:crypto";

import { eq } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";

import { failSession } from "@spellcast/core";
import { adminActions, generationSessions } from "@spellcast/db";

import { createApiHarness } from "../testing/api-harness";

const api = createApiHarness({ startingCredits: 100 });
afterAll(() => api.cleanup());

type Caller = Awaited<ReturnType<typeof api.signUp>>["caller"];

/** A session created through the API, then failed by core exactly as the worker's final failure does. */
async function deadLetter(caller: Caller, prompt: string, providerStatus: number | null, providerMessage: string) {
  const session = await caller.generations.create({ prompt, params: { size: "512x512" }, clientKey: randomUUID() });
  await failSession(api.db, {
    sessionId: session.id,
    failure: { providerStatus, providerMessage, providerBody: null, requestId: null, reason: "provider_error", attempts: 1, fatal: true },
  });
  return session;
}

describe("admin.deadLetters", () => {
  it("search finds dead letters by provider status and by message text (and by user email)", async () => {
    const admin = await api.signUpAdmin();
    const user = await api.signUp();
    const token = randomUUID().slice(0, 8);
    const policy = await deadLetter(user.caller, "a zebra", 400, `Content policy violation ${token} (zebra)`);
    const boom = await deadLetter(user.caller, "a lion", 502, `Upstream exploded ${token}`);

    const byText = await admin.caller.admin.deadLetters.list({ filter: { text: `${token} (ZEBRA` } });
    expect(byText.items.map((i) => i.id)).toEqual([policy.id]);
    expect(byText.items[0]).toMatchObject({ userEmail: user.email, prompt: "a zebra", errorDetails: { providerStatus: 400, refundedCredits: policy.cost } });

    const byStatus = await admin.caller.admin.deadLetters.list({ filter: { providerStatus: 502, email: user.email } });
    expect(byStatus.items.map((i) => i.id)).toEqual([boom.id]);
    const both = await admin.caller.admin.deadLetters.list({ filter: { text: token, tool: "seedream" } });
    expect(both.items.map((i) => i.id)).toEqual([boom.id, policy.id]); // newest failure first

    // Keyset pages: one row per page, no overlap, then the end.
    const first = await admin.caller.admin.deadLetters.list({ filter: { text: token }, limit: 1 });
    const second = await admin.caller.admin.deadLetters.list({ filter: { text: token }, limit: 1, cursor: first.nextCursor });
    expect([...first.items, ...second.items].map((i) => i.id)).toEqual([boom.id, policy.id]);
    expect(second.nextCursor).toBeNull();
    // A LIKE wildcard is literal text.
    expect((await admin.caller.admin.deadLetters.list({ filter: { text: `${token}%` } })).items).toEqual([]);
  });

  it("replay makes a new session for the same user, linked by replay_of, charged once even when repeated", async () => {
    const admin = await api.signUpAdmin();
    const user = await api.signUp();
    const original = await deadLetter(user.caller, "replay me", 400, "Bad request: nope");
    const before = await user.caller.credits.balance();
    expect(before.held).toBe(0); // the failure refunded its hold

    const first = await admin.caller.admin.deadLetters.replay({ id: original.id, attempt: 1 });
    const again = await admin.caller.admin.deadLetters.replay({ id: original.id, attempt: 1 });
    expect(first.created).toBe(true);
    expect(again).toMatchObject({ created: false, session: { id: first.session.id } });
    expect(first.session).toMatchObject({ status: "queued", prompt: "replay me", params: { size: "512x512" } });

    const after = await user.caller.credits.balance();
    expect(after.available).toBe(before.available - original.cost); // one hold, not two
    expect(after.held).toBe(original.cost);

    const [row] = await api.db.select().from(generationSessions).where(eq(generationSessions.id, first.session.id));
    expect(row).toMatchObject({ replayOf: original.id, userId: (await user.caller.me()).id });
    const audit = await api.db.select().from(adminActions).where(eq(adminActions.subjectId, original.id));
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: "dead_letter.replay", details: { replayId: first.session.id } });
    const item = await admin.caller.admin.deadLetters.get({ id: original.id });
    expect(item.replays.map((r) => r.id)).toEqual([first.session.id]);
    // The user sees the replay as their own generation.
    expect((await user.caller.generations.get({ id: first.session.id })).id).toBe(first.session.id);
  });

  it("a replayed dead letter is not replayed again unless it is explicitly the next attempt after a failed replay", async () => {
    const admin = await api.signUpAdmin();
    const user = await api.signUp();
    const original = await deadLetter(user.caller, "once only", 400, "Bad request");
    const before = await user.caller.credits.balance();

    // A double click: the same attempt at once makes one session and one charge.
    const [a, b] = await Promise.all([
      admin.caller.admin.deadLetters.replay({ id: original.id, attempt: 1 }),
      admin.caller.admin.deadLetters.replay({ id: original.id, attempt: 1 }),
    ]);
    expect(a.session.id).toBe(b.session.id);
    expect([a.created, b.created].sort()).toEqual([false, true]);
    // Edit and replay of the same attempt returns it too: no second charge.
    const edited = await admin.caller.admin.deadLetters.editAndReplay({ id: original.id, attempt: 1, prompt: "changed", params: { size: "512x512" } });
    expect(edited).toMatchObject({ created: false, session: { id: a.session.id } });
    // A new attempt while the replay is live is refused; so is a skipped or stale number.
    await expect(admin.caller.admin.deadLetters.replay({ id: original.id, attempt: 2 })).rejects.toMatchObject({ code: "CONFLICT", message: expect.stringMatching(/Already replayed/) });
    await expect(admin.caller.admin.deadLetters.replay({ id: original.id, attempt: 3 })).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(admin.caller.admin.deadLetters.replay({ id: original.id, attempt: 0 })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect((await user.caller.credits.balance()).available).toBe(before.available - original.cost);

    // Once that replay failed, attempt 2 is a new, explicit attempt: charged once more.
    await failSession(api.db, {
      sessionId: a.session.id,
      failure: { providerStatus: 502, providerMessage: "again", providerBody: null, requestId: null, reason: "provider_error", attempts: 1, fatal: true },
    });
    const second = await admin.caller.admin.deadLetters.replay({ id: original.id, attempt: 2 });
    expect(second.created).toBe(true);
    expect(second.session.id).not.toBe(a.session.id);
    expect(await admin.caller.admin.deadLetters.replay({ id: original.id, attempt: 2 })).toMatchObject({ created: false, session: { id: second.session.id } });
    // The failed first replay refunded its hold: one live charge, for the second attempt.
    expect(await user.caller.credits.balance()).toMatchObject({ available: before.available - original.cost, held: original.cost });
    const audit = await api.db.select().from(adminActions).where(eq(adminActions.subjectId, original.id));
    expect(audit.map((x) => x.details.attempt).sort()).toEqual([1, 2]);
  });

  it("edit and replay validates like submit and uses the new parameters", async () => {
    const admin = await api.signUpAdmin();
    const user = await api.signUp();
    const original = await deadLetter(user.caller, "old prompt", 400, "Bad request");
    await expect(
      admin.caller.admin.deadLetters.editAndReplay({ id: original.id, attempt: 1, prompt: "x", params: { size: "9x9" as "512x512" } }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
    const edited = await admin.caller.admin.deadLetters.editAndReplay({ id: original.id, attempt: 1, prompt: "new prompt", params: { size: "768x768", seed: 7 } });
    expect(edited.session).toMatchObject({ prompt: "new prompt", params: { size: "768x768", seed: 7 } });
    const audit = await api.db.select().from(adminActions).where(eq(adminActions.subjectId, original.id));
    expect(audit.map((a) => a.action)).toEqual(["dead_letter.edit_replay"]);
  });

  it("discard hides the row from the list (kept, with who and when)", async () => {
    const admin = await api.signUpAdmin();
    const user = await api.signUp();
    const token = randomUUID().slice(0, 8);
    const dl = await deadLetter(user.caller, "discard me", 422, `Unprocessable ${token}`);
    expect((await admin.caller.admin.deadLetters.list({ filter: { text: token } })).items).toHaveLength(1);
    expect(await admin.caller.admin.deadLetters.discard({ id: dl.id })).toEqual({ id: dl.id, discarded: true });
    expect(await admin.caller.admin.deadLetters.discard({ id: dl.id })).toEqual({ id: dl.id, discarded: false });
    expect((await admin.caller.admin.deadLetters.list({ filter: { text: token } })).items).toHaveLength(0);
    expect((await admin.caller.admin.deadLetters.get({ id: dl.id })).discardedAt).not.toBeNull();
    const [row] = await api.db.select().from(generationSessions).where(eq(generationSessions.id, dl.id));
    expect(row?.discardedBy).toBe(admin.id);
  });

  it("bulk replay acts only on the previewed rows of the searched filter, bounded and idempotent", async () => {
    const admin = await api.signUpAdmin();
    const user = await api.signUp();
    const other = await api.signUp();
    const token = randomUUID().slice(0, 8);
    const one = await deadLetter(user.caller, "bulk 1", 500, `Bulk ${token}`);
    const two = await deadLetter(user.caller, "bulk 2", 500, `Bulk ${token}`);
    await deadLetter(other.caller, "bulk 3", 500, `Bulk ${token}`);
    const filter = { text: token };

    // The preview states what it will charge: rows, distinct users, credits at today's prices.
    const preview = await admin.caller.admin.deadLetters.bulkReplayPreview({ filter });
    expect(preview).toMatchObject({ users: 2, credits: 3 * one.cost, matching: 3 });
    expect(preview.ids).toHaveLength(3);
    expect((await admin.caller.admin.deadLetters.bulkReplayPreview({ filter, limit: 2 })).ids).toHaveLength(2);

    // A failure that arrives after the preview is not swept in, and a discarded row is skipped.
    const late = await deadLetter(user.caller, "bulk late", 500, `Bulk ${token}`);
    await admin.caller.admin.deadLetters.discard({ id: two.id });
    const bulk = await admin.caller.admin.deadLetters.bulkReplay({ filter, ids: preview.ids });
    expect(bulk).toMatchObject({ selected: 2, created: 2, skipped: 1 });
    expect(bulk.results.map((r) => r.originalId)).not.toContain(late.id);

    // Confirmed ids outside the searched filter are never replayed.
    const outside = await deadLetter(user.caller, "elsewhere", 500, `Elsewhere ${randomUUID()}`);
    expect(await admin.caller.admin.deadLetters.bulkReplay({ filter, ids: [outside.id] })).toMatchObject({ selected: 0, created: 0, skipped: 1 });

    // Repeating it charges nothing more; already replayed rows leave the preview.
    expect(await admin.caller.admin.deadLetters.bulkReplay({ filter, ids: preview.ids })).toMatchObject({ selected: 0, created: 0 });
    expect((await admin.caller.admin.deadLetters.bulkReplayPreview({ filter })).ids).toEqual([late.id]);
    await expect(admin.caller.admin.deadLetters.bulkReplay({ filter, ids: [] })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    const tooMany = Array.from({ length: 101 }, () => randomUUID());
    await expect(admin.caller.admin.deadLetters.bulkReplay({ filter, ids: tooMany })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });

  it("a malformed filter is refused with BAD_REQUEST, never widened to every row (list, preview, bulk replay)", async () => {
    const admin = await api.signUpAdmin();
    const user = await api.signUp();
    const dl = await deadLetter(user.caller, "must not replay", 500, `Filter ${randomUUID()}`);
    const bad: [string, unknown, RegExp][] = [
      ["status as text", { providerStatus: "abc" }, /Provider status is an HTTP status/],
      ["status out of range", { providerStatus: 42 }, /Provider status is an HTTP status/],
      ["fractional status", { providerStatus: 400.5 }, /Provider status is an HTTP status/],
      ["unknown provider", { tool: "dall-e" }, /Provider is one of/],
      ["dates reversed", { from: "2026-02-01T00:00:00.000Z", to: "2026-01-01T00:00:00.000Z" }, /must be earlier than/],
      ["not a date", { from: "yesterday" }, /not a valid date/],
      ["empty email", { email: "  " }, /user's email/],
      ["unknown field", { status: 400 }, /./],
    ];
    for (const [name, filter, message] of bad) {
      const calls = [
        () => admin.caller.admin.deadLetters.list({ filter: filter as object }),
        () => admin.caller.admin.deadLetters.bulkReplayPreview({ filter: filter as object }),
        () => admin.caller.admin.deadLetters.bulkReplay({ filter: filter as object, ids: [dl.id] }),
      ];
      for (const call of calls) {
        const err: unknown = await call().then(() => null, (e: unknown) => e);
        expect(err, name).toMatchObject({ code: "BAD_REQUEST" });
        // The client shows the issue's own words (errorFormatter sends the flattened zod error).
        expect(JSON.stringify((err as { cause?: { issues?: unknown } }).cause?.issues), name).toMatch(message);
      }
    }
    // Nothing was replayed along the way.
    expect((await admin.caller.admin.deadLetters.get({ id: dl.id })).replays).toEqual([]);
    // The same dates the right way round are a valid search.
    await expect(admin.caller.admin.deadLetters.list({ filter: { from: "2026-01-01T00:00:00.000Z", to: "2026-01-01T00:00:00.000Z" } })).resolves.toBeTruthy();
  });

  it("non-admins get FORBIDDEN for every admin procedure (session or API key)", async () => {
    const user = await api.signUp();
    const { key } = await user.caller.apiKeys.create({ name: "not an admin" });
    const viaKey = api.callerFor({ authorization: `Bearer ${key}` });
    const id = randomUUID();
    for (const caller of [user.caller, viaKey]) {
      const calls: [string, () => Promise<unknown>][] = [
        ["list", () => caller.admin.deadLetters.list({})],
        ["get", () => caller.admin.deadLetters.get({ id })],
        ["replay", () => caller.admin.deadLetters.replay({ id, attempt: 1 })],
        ["editAndReplay", () => caller.admin.deadLetters.editAndReplay({ id, attempt: 1, prompt: "p", params: { size: "512x512" } })],
        ["discard", () => caller.admin.deadLetters.discard({ id })],
        ["bulkReplayPreview", () => caller.admin.deadLetters.bulkReplayPreview({ filter: {} })],
        ["bulkReplay", () => caller.admin.deadLetters.bulkReplay({ filter: {}, ids: [id] })],
        ["credits.grant", () => caller.admin.credits.grant({ userId: "x", amount: 1, reason: "r", idempotencyKey: "k" })],
      ];
      for (const [name, call] of calls) {
        await expect(call(), name).rejects.toMatchObject({ code: "FORBIDDEN" });
      }
    }
    await expect(api.callerFor().admin.deadLetters.list({})).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });
});
