import sharp from "sharp";
import { afterAll, describe, expect, it } from "vitest";

import { addImagesToDataset, BUILT_IN_CAPTION_SPELL_ID } from "@spellcast/core";
import type { LogStreamEvent } from "@spellcast/core";

import { createApiHarness } from "../testing/api-harness";
import { openStream } from "../testing/open-stream";

const api = createApiHarness({ startingCredits: 100 });
afterAll(() => api.cleanup());

type User = Awaited<ReturnType<typeof api.signUp>>;

/** A caption run over two images (its casts' first steps are created) and a single cast, with their events. */
async function runAndCast(user: User) {
  const me = await user.caller.me();
  const ds = await user.caller.datasets.create({ name: "Scoped" });
  const files = [];
  for (let i = 0; i < 2; i++) {
    const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: i * 90, g: 0, b: 0 } } }).png().toBuffer();
    files.push({ name: `img ${i}.png`, bytes: new Uint8Array(png) });
  }
  await addImagesToDataset(api.db, api.storage, { userId: me.id, datasetId: ds.id, files });
  const set = await user.caller.captions.start({ datasetId: ds.id, spellId: BUILT_IN_CAPTION_SPELL_ID });
  const { captions } = await user.caller.captions.get({ setId: set.id });
  const [followed, other] = captions.map((c) => c.castId);
  if (!followed || !other) throw new Error("the run cast both images");
  const spell = await user.caller.spells.create({ name: "Polish", steps: [{ tool: "chatgpt", params: { prompt: "Polish: {{input}}" } }] });
  const single = await user.caller.casts.create({ spellId: spell.id, input: { kind: "text", text: "a red fox" } });
  return { set, followed, other, single: single.id };
}

const logEvents = (items: readonly unknown[]): LogStreamEvent[] =>
  items.flatMap((i) => (Array.isArray(i) && isLogEvent(i[1]) ? [i[1]] : []));
const isLogEvent = (value: unknown): value is LogStreamEvent =>
  typeof value === "object" && value !== null && "type" in value && value.type !== "cursor" && "payload" in value;

/** The cast a step event is about, if any. */
function castOf(event: LogStreamEvent): string | null {
  const { session, cast } = event.payload as { session?: { castId?: string | null }; cast?: { id?: string } };
  return session?.castId ?? cast?.id ?? null;
}

describe("events.stream captionRunSteps", () => {
  it("follow: a caption run's step events only for the casts named; single casts, captions, sets and credits all come", async () => {
    const user = await api.signUp("Scoped watcher");
    const { followed, other, single } = await runAndCast(user);
    const all = openStream(api.deps, user.cookie, { lastEventId: "0" });
    const scoped = openStream(api.deps, user.cookie, { lastEventId: "0", captionRunSteps: { follow: [followed] } });
    try {
      await all.until(() => logEvents(all.items).some((e) => castOf(e) === single), "the single cast's events");
      const everything = logEvents(all.items);
      // Both streams have read the whole log once the scoped one shows the single cast's last event.
      const lastId = everything.at(-1)?.id;
      await scoped.until(() => logEvents(scoped.items).some((e) => e.id === lastId), "the scoped stream to catch up");
      const kept = logEvents(scoped.items).filter((e) => BigInt(e.id) <= BigInt(lastId ?? "0"));

      expect(everything.filter((e) => castOf(e) === other).length).toBeGreaterThan(0);
      expect(kept.filter((e) => castOf(e) === other)).toEqual([]);
      expect(kept.map((e) => e.id)).toEqual(everything.filter((e) => castOf(e) !== other).map((e) => e.id));
      const types = (cast: string) => kept.filter((e) => castOf(e) === cast).map((e) => e.type);
      expect(types(followed)).toContain("session_created");
      expect(types(single)).toContain("session_created");
      expect(kept.map((e) => e.type)).toEqual(expect.arrayContaining(["credits_changed", "caption_set_updated"]));
    } finally {
      await Promise.all([all.stop(), scoped.stop()]);
    }
  });

  it("resumed with lastEventId, a scoped stream still leaves the other casts' steps out", async () => {
    const user = await api.signUp("Scoped resumer");
    const first = openStream(api.deps, user.cookie, { captionRunSteps: { follow: [] } });
    await first.until(() => first.items.length > 0, "the cursor");
    const { other, single } = await runAndCast(user);
    await first.until(() => logEvents(first.items).some((e) => castOf(e) === single), "the single cast's events");
    const seen = logEvents(first.items);
    await first.stop();
    expect(seen.filter((e) => castOf(e) === other)).toEqual([]);
    const again = openStream(api.deps, user.cookie, { lastEventId: seen[0]?.id, captionRunSteps: { follow: [] } });
    try {
      await again.until(() => logEvents(again.items).some((e) => e.id === seen.at(-1)?.id), "the resumed stream to catch up");
      expect(logEvents(again.items).map((e) => e.id)).toEqual(seen.slice(1).map((e) => e.id));
    } finally {
      await again.stop();
    }
  });

  it("refuses a follow list that is not cast ids, or too long", async () => {
    const user = await api.signUp("Scoped typo");
    for (const follow of [["not-a-uuid"], Array.from({ length: 51 }, () => crypto.randomUUID())]) {
      const bad = openStream(api.deps, user.cookie, { captionRunSteps: { follow } });
      await bad.until(() => bad.failure() !== null, "the refusal");
      expect(bad.failure()).toMatchObject({ code: "BAD_REQUEST" });
      await bad.stop();
    }
  });
});
