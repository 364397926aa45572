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

    const first = await admin.caller.admin.deadLetters.replay({ id: original.id });
    const again = await admin.caller.admin.deadLetters.replay({ id: original.id });
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

  it("edit and replay validates like submit and uses the new parameters", async () => {
    const admin = await api.signUpAdmin();
    const user = await api.signUp();
    const original = await deadLetter(user.caller, "old prompt", 400, "Bad request");
    await expect(
      admin.caller.admin.deadLetters.editAndReplay({ id: original.id, prompt: "x", params: { size: "9x9" as "512x512" } }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
    const edited = await admin.caller.admin.deadLetters.editAndReplay({ id: original.id, prompt: "new prompt", params: { size: "768x768", seed: 7 } });
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

  it("bulk replay of a filtered selection is bounded and idempotent", async () => {
    const admin = await api.signUpAdmin();
    const user = await api.signUp();
    const token = randomUUID().slice(0, 8);
    await deadLetter(user.caller, "bulk 1", 500, `Bulk ${token}`);
    await deadLetter(user.caller, "bulk 2", 500, `Bulk ${token}`);
    await deadLetter(user.caller, "bulk 3", 500, `Bulk ${token}`);
    const one = await admin.caller.admin.deadLetters.bulkReplay({ filter: { text: token }, limit: 2 });
    expect(one).toMatchObject({ selected: 2, created: 2 });
    const all = await admin.caller.admin.deadLetters.bulkReplay({ filter: { text: token } });
    expect(all).toMatchObject({ selected: 3, created: 1 });
    const repeat = await admin.caller.admin.deadLetters.bulkReplay({ filter: { text: token } });
    expect(repeat).toMatchObject({ selected: 3, created: 0 });
    await expect(admin.caller.admin.deadLetters.bulkReplay({ filter: {}, limit: 101 })).rejects.toMatchObject({ code: "BAD_REQUEST" });
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
        ["replay", () => caller.admin.deadLetters.replay({ id })],
        ["editAndReplay", () => caller.admin.deadLetters.editAndReplay({ id, prompt: "p", params: { size: "512x512" } })],
        ["discard", () => caller.admin.deadLetters.discard({ id })],
        ["bulkReplay", () => caller.admin.deadLetters.bulkReplay({ filter: {} })],
        ["credits.grant", () => caller.admin.credits.grant({ userId: "x", amount: 1, reason: "r", idempotencyKey: "k" })],
      ];
      for (const [name, call] of calls) {
        await expect(call(), name).rejects.toMatchObject({ code: "FORBIDDEN" });
      }
    }
    await expect(api.callerFor().admin.deadLetters.list({})).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });
});
