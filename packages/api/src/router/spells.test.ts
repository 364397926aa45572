import { TRPCError } from "@trpc/server";
import { afterAll, describe, expect, it } from "vitest";
import { ZodError } from "zod";

import type { DomainError } from "@spellcast/core";
import { createSpell } from "@spellcast/core";
import { spells } from "@spellcast/db";

import { createApiHarness } from "../testing/api-harness";

const api = createApiHarness({ startingCredits: 10 });
afterAll(() => api.cleanup());

const tidy = (name: string) => ({ name, steps: [{ tool: "rewrite" as const, params: {} }] });
const painter = (params: Record<string, string | number>) => ({
  name: "Painter",
  steps: [
    { tool: "chatgpt" as const, params: { prompt: "Polish: {{input}}" } },
    { tool: "seedream" as const, params },
  ],
});

/**
 * What the caller is told: the tRPC code and message of the refusal. An input refused by its zod
 * schema says "Invalid input" and sends its issues (flattened into `data.zodError`): their messages.
 */
async function refusal(call: Promise<unknown>): Promise<{ code: string; message: string }> {
  const err = await call.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(err instanceof TRPCError)) throw new Error(`expected a TRPCError, got ${String(err)}`);
  const message = err.cause instanceof ZodError ? err.cause.issues.map((i) => i.message).join("; ") : err.message;
  return { code: err.code, message };
}

describe("spells router: a Seedream step's size", () => {
  it("a Seedream step saved without a size gets the Generate page's default, and its price", async () => {
    const user = await api.signUp("Painter");
    const spell = await user.caller.spells.create(painter({}));
    expect(spell.steps[1]).toEqual({ tool: "seedream", params: { size: "1024x1024" } });
    expect(spell.cost).toBe(1 + 4);
  });

  it("the price follows the chosen size; a seed is kept", async () => {
    const user = await api.signUp("Painter");
    const spell = await user.caller.spells.create(painter({ size: "1536x1024", seed: 7 }));
    expect(spell.steps[1]?.params).toEqual({ size: "1536x1024", seed: 7 });
    expect(spell.cost).toBe(1 + 6);
    const smaller = await user.caller.spells.update({ id: spell.id, spell: painter({ size: "512x512" }) });
    expect(smaller.cost).toBe(1 + 2);
  });

  it("an unknown size, a bad seed or a param the tool doesn't take is refused on save, naming the step", async () => {
    const user = await api.signUp("Painter");
    const bad = await refusal(user.caller.spells.create(painter({ size: "999x999" })));
    expect(bad.code).toBe("BAD_REQUEST");
    expect(bad.message).toContain("Step 2 (Seedream): the image size must be one of 512x512, 768x768, 1024x1024, 1024x1536, 1536x1024");
    expect((await refusal(user.caller.spells.create(painter({ size: "512x512", seed: -1 })))).message).toContain(
      "Step 2 (Seedream): the seed must be a whole number from 0 to 2147483647",
    );
    expect((await refusal(user.caller.spells.create(painter({ size: "512x512", prompt: "x" })))).message).toContain("Step 2 (Seedream) takes no “prompt”");
    expect(await user.caller.spells.list()).toEqual([expect.objectContaining({ builtIn: true })]);
  });

  it("a spell stored before sizes were checked lists with the default size and its price", async () => {
    const user = await api.signUp("Old painter");
    const me = await user.caller.me();
    await api.db.insert(spells).values({ userId: me.id, name: "Old", steps: [{ tool: "chatgpt", params: {} }, { tool: "seedream", params: {} }] });
    const [old] = (await user.caller.spells.list()).filter((s) => !s.builtIn);
    expect(old?.steps[1]).toEqual({ tool: "seedream", params: { size: "1024x1024" } });
    expect(old?.cost).toBe(5);
  });
});

describe("spells router: names", () => {
  it("a second spell with the same name (any case, spaces trimmed) is refused: CONFLICT, naming it", async () => {
    const user = await api.signUp("Namer");
    await user.caller.spells.create(tidy("Tidy  Fox"));
    const again = await refusal(user.caller.spells.create(tidy("  tidy fox ")));
    expect(again).toEqual({ code: "CONFLICT", message: "You already have a spell named “Tidy Fox”" });
    expect((await user.caller.spells.list()).filter((s) => !s.builtIn)).toHaveLength(1);
  });

  it("renaming onto another of one's spells is refused; keeping one's own name or changing its case is not", async () => {
    const user = await api.signUp("Renamer");
    const a = await user.caller.spells.create(tidy("Alpha"));
    await user.caller.spells.create(tidy("Beta"));
    expect(await refusal(user.caller.spells.update({ id: a.id, spell: tidy("BETA") }))).toEqual({
      code: "CONFLICT",
      message: "You already have a spell named “Beta”",
    });
    expect((await user.caller.spells.update({ id: a.id, spell: tidy("Alpha") })).name).toBe("Alpha");
    expect((await user.caller.spells.update({ id: a.id, spell: tidy("ALPHA") })).name).toBe("ALPHA");
  });

  it("another user's spell, or one's own deleted spell, leaves the name free", async () => {
    const alice = await api.signUp("Alice");
    const bob = await api.signUp("Bob");
    const gone = await alice.caller.spells.create(tidy("Shared name"));
    await bob.caller.spells.create(tidy("Shared name"));
    await alice.caller.spells.delete({ id: gone.id });
    expect((await alice.caller.spells.create(tidy("Shared name"))).name).toBe("Shared name");
  });

  it("a built-in's name is refused too: both would sit in the same lists and pickers", async () => {
    const user = await api.signUp("Captioner");
    expect(await refusal(user.caller.spells.create(tidy(" caption")))).toEqual({
      code: "CONFLICT",
      message: "“Caption” is a built-in spell's name: pick another",
    });
  });

  it("saves of the same new name at once: one is kept, the others refused", async () => {
    const user = await api.signUp("Racer");
    const me = await user.caller.me();
    // Straight into core, on separate connections, so the saves really overlap.
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => createSpell(api.db, { userId: me.id, spell: tidy("Racing") })));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const refused = results.flatMap((r) => (r.status === "rejected" ? [r.reason as DomainError] : []));
    expect(refused.map((e) => e.code)).toEqual(["CONFLICT", "CONFLICT", "CONFLICT", "CONFLICT"]);
    expect((await user.caller.spells.list()).filter((s) => s.name === "Racing")).toHaveLength(1);
  });
});
