import { events } from "@spellcast/db";
import { and, asc, eq } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";

import { createApiHarness } from "../testing/api-harness";
import { finishedCaptionRun } from "../testing/finished-caption-run";

const api = createApiHarness({ startingCredits: 100 });
afterAll(() => api.cleanup());

const CAPTIONS = ["a tabby cat on a sofa", "a dog in the snow", "a cat and a bird"];
const run = (owner: Awaited<ReturnType<typeof api.signUp>>) => finishedCaptionRun(api, owner, (index) => CAPTIONS[index] ?? "");

async function textsOf(owner: Awaited<ReturnType<typeof api.signUp>>, setId: string) {
  return (await owner.caller.captions.get({ setId })).captions.map((c) => c.text);
}

describe("captions.previewEdit (what a bulk edit would change, before it is confirmed)", () => {
  it("counts and shows what replace and prefix would change, writes nothing, and the edit then changes exactly that", async () => {
    const owner = await api.signUp("Previewer");
    const { set } = await run(owner);

    const replace = { kind: "replace" as const, find: "cat", replace: "kitten" };
    const preview = await owner.caller.captions.previewEdit({ setId: set.id, edit: replace });
    expect(preview).toMatchObject({
      finished: 3,
      changed: 2,
      examples: [
        { fileName: "cat one.png", before: "a tabby cat on a sofa", after: "a tabby kitten on a sofa" },
        { fileName: "bird.webp", before: "a cat and a bird", after: "a kitten and a bird" },
      ],
    });
    // Previewing changed nothing: same texts, no new version.
    expect(await textsOf(owner, set.id)).toEqual(CAPTIONS);
    const first = preview.examples[0];
    if (!first) throw new Error("no example");
    expect(await owner.caller.captions.versions({ captionId: first.captionId })).toHaveLength(1);

    await expect(owner.caller.captions.replace({ setId: set.id, find: replace.find, replace: replace.replace })).resolves.toEqual({ changed: preview.changed });
    expect(await textsOf(owner, set.id)).toEqual(["a tabby kitten on a sofa", "a dog in the snow", "a kitten and a bird"]);
    await expect(owner.caller.captions.previewEdit({ setId: set.id, edit: replace })).resolves.toEqual({ finished: 3, changed: 0, examples: [] });

    const prefix = await owner.caller.captions.previewEdit({ setId: set.id, edit: { kind: "prefix", word: " sks " } });
    expect(prefix.changed).toBe(3);
    expect(prefix.examples.map((e) => e.after)).toEqual(["sks, a tabby kitten on a sofa", "sks, a dog in the snow"]);
    await expect(owner.caller.captions.prefix({ setId: set.id, word: "sks" })).resolves.toEqual({ changed: 3 });
    await expect(owner.caller.captions.previewEdit({ setId: set.id, edit: { kind: "prefix", word: "sks" } })).resolves.toMatchObject({ changed: 0 });
  });

  it("a bulk edit reaches every open page: each caption it changed gets its event with the new text, the others none", async () => {
    const owner = await api.signUp("Broadcaster");
    const { set } = await run(owner);
    const ids = (await owner.caller.captions.get({ setId: set.id })).captions.map((c) => c.id);
    const eventsOf = async (captionId: string) =>
      (await api.db.select({ payload: events.payload }).from(events).where(and(eq(events.type, "caption_updated"), eq(events.subjectId, captionId))).orderBy(asc(events.id))).map(
        (e) => (e.payload as { caption: { text: string | null } }).caption.text,
      );
    const before = await Promise.all(ids.map(eventsOf));
    await owner.caller.captions.replace({ setId: set.id, find: "cat", replace: "kitten" });
    const after = await Promise.all(ids.map(eventsOf));
    expect(after.map((texts, i) => texts.slice(before[i]?.length))).toEqual([["a tabby kitten on a sofa"], [], ["a kitten and a bird"]]);
  });

  it("someone else's set is NOT_FOUND, nobody signed in is UNAUTHORIZED, bad input is BAD_REQUEST; none of it changes a caption", async () => {
    const owner = await api.signUp("Owner");
    const other = await api.signUp("Other");
    const { set } = await run(owner);
    const edit = { kind: "replace" as const, find: "a", replace: "b" };
    await expect(other.caller.captions.previewEdit({ setId: set.id, edit })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(api.callerFor().captions.previewEdit({ setId: set.id, edit })).rejects.toMatchObject({ code: "UNAUTHORIZED" });

    const bad: unknown[] = [
      { setId: set.id, edit: { kind: "replace", find: "", replace: "b" } },
      { setId: set.id, edit: { kind: "prefix", word: "   " } },
      { setId: set.id, edit: { kind: "upcase" } },
      { setId: set.id, edit: { ...edit, extra: true } },
      { setId: "not-a-uuid", edit },
    ];
    for (const input of bad) {
      // Deliberately malformed: the router's schema, not the type checker, must refuse it.
      await expect(owner.caller.captions.previewEdit(input as Parameters<typeof owner.caller.captions.previewEdit>[0])).rejects.toMatchObject({ code: "BAD_REQUEST" });
    }
    await expect(owner.caller.captions.prefix({ setId: set.id, word: "   " })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect(await textsOf(owner, set.id)).toEqual(CAPTIONS);
  });
});
