import { count, eq } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";

import { datasets } from "@spellcast/db";

import { createApiHarness } from "../testing/api-harness";

const api = createApiHarness({ startingCredits: 0 });
afterAll(() => api.cleanup());

describe("datasets router", () => {
  it("creates, lists, gets and deletes the caller's datasets", async () => {
    const owner = await api.signUp("Dataset Owner");
    const created = await owner.caller.datasets.create({ name: "  Cats  " });
    expect(created).toMatchObject({ name: "Cats", imageCount: 0 });
    await expect(owner.caller.datasets.list()).resolves.toEqual([created]);
    await expect(owner.caller.datasets.get({ id: created.id })).resolves.toEqual({ dataset: created, images: [], nextCursor: null });
    await expect(owner.caller.datasets.delete({ id: created.id })).resolves.toEqual({ id: created.id, deletedImages: 0 });
    await expect(owner.caller.datasets.list()).resolves.toEqual([]);
    await expect(owner.caller.datasets.get({ id: created.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("another user can neither see, list, get nor delete my dataset", async () => {
    const alice = await api.signUp("Alice");
    const bob = await api.signUp("Bob");
    const mine = await alice.caller.datasets.create({ name: "Alice's" });
    await expect(bob.caller.datasets.list()).resolves.toEqual([]);
    await expect(bob.caller.datasets.get({ id: mine.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(bob.caller.datasets.delete({ id: mine.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(bob.caller.datasets.removeImages({ datasetId: mine.id, imageIds: [crypto.randomUUID()] })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(alice.caller.datasets.get({ id: mine.id })).resolves.toMatchObject({ dataset: { id: mine.id } });
    await expect(api.callerFor().datasets.list()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });

  it("bad input is BAD_REQUEST and creates nothing", async () => {
    const owner = await api.signUp();
    const before = await api.db.select({ n: count() }).from(datasets);
    await expect(owner.caller.datasets.create({ name: "   " })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(owner.caller.datasets.create({ name: "x".repeat(81) })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(owner.caller.datasets.create({ name: "tab\there" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(owner.caller.datasets.get({ id: "not-a-uuid" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(owner.caller.datasets.removeImages({ datasetId: crypto.randomUUID(), imageIds: ["../../etc"] })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(owner.caller.datasets.removeImages({ datasetId: crypto.randomUUID(), imageIds: [] })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(owner.caller.datasets.get({ id: crypto.randomUUID(), direction: "forward" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    // @ts-expect-error pages only go forward
    await expect(owner.caller.datasets.get({ id: crypto.randomUUID(), direction: "backward" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect(await api.db.select({ n: count() }).from(datasets)).toEqual(before);
    const all = await api.db.select().from(datasets).where(eq(datasets.name, "   "));
    expect(all).toEqual([]);
  });
});
