import { count, eq } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";

import { apiKeys } from "@spellcast/db";

import { createApiHarness } from "../testing/api-harness";

const api = createApiHarness();
afterAll(() => api.cleanup());

describe("API keys", () => {
  it("a created key authenticates tRPC calls until it is revoked, then is refused at once", async () => {
    const owner = await api.signUp("Key Owner");
    const { key, apiKey } = await owner.caller.apiKeys.create({ name: "render farm" });
    expect(key).toMatch(/^sc_[A-Za-z0-9_-]{43}$/);
    expect(apiKey).toMatchObject({ name: "render farm", prefix: key.slice(0, 10), revokedAt: null });

    const viaKey = api.callerFor({ authorization: `Bearer ${key}` });
    await expect(viaKey.me()).resolves.toMatchObject({ email: owner.email, via: "api_key" });
    const [listed] = await owner.caller.apiKeys.list();
    expect(listed?.lastUsedAt).toBeInstanceOf(Date);

    await owner.caller.apiKeys.revoke({ id: apiKey.id });
    await expect(api.callerFor({ authorization: `Bearer ${key}` }).me()).rejects.toMatchObject({
      code: "UNAUTHORIZED",
      message: expect.stringMatching(/revoked/),
    });
    const [afterRevoke] = await owner.caller.apiKeys.list();
    expect(afterRevoke?.revokedAt).toBeInstanceOf(Date);
  });

  it("stores only a hash of the key", async () => {
    const owner = await api.signUp();
    const { key, apiKey } = await owner.caller.apiKeys.create({ name: "hashed" });
    const [row] = await api.db.select().from(apiKeys).where(eq(apiKeys.id, apiKey.id));
    expect(row?.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).not.toContain(key.slice(10));
  });

  it("malformed and unknown keys are refused with a message saying which", async () => {
    await expect(api.callerFor({ authorization: "Bearer not-a-key" }).me()).rejects.toMatchObject({
      code: "UNAUTHORIZED",
      message: expect.stringMatching(/Malformed API key/),
    });
    await expect(api.callerFor({ authorization: "Basic abc" }).me()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    const unknown = `sc_${"A".repeat(43)}`;
    await expect(api.callerFor({ authorization: `Bearer ${unknown}` }).me()).rejects.toMatchObject({
      code: "UNAUTHORIZED",
      message: "Unknown API key",
    });
  });

  it("a user can neither list nor revoke another user's keys", async () => {
    const alice = await api.signUp("Alice");
    const bob = await api.signUp("Bob");
    const { key, apiKey } = await alice.caller.apiKeys.create({ name: "alice's" });

    await expect(bob.caller.apiKeys.list()).resolves.toEqual([]);
    await expect(bob.caller.apiKeys.revoke({ id: apiKey.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(api.callerFor({ authorization: `Bearer ${key}` }).me()).resolves.toMatchObject({ email: alice.email });
  });

  it("bad input is refused with BAD_REQUEST and creates nothing", async () => {
    const owner = await api.signUp();
    const before = await api.db.select({ n: count() }).from(apiKeys);
    await expect(owner.caller.apiKeys.create({ name: "   " })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(owner.caller.apiKeys.create({ name: "x".repeat(65) })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    // @ts-expect-error unknown fields are refused, not ignored
    await expect(owner.caller.apiKeys.create({ name: "ok", admin: true })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(owner.caller.apiKeys.revoke({ id: "not-a-uuid" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    const after = await api.db.select({ n: count() }).from(apiKeys);
    expect(after).toEqual(before);
  });
});
