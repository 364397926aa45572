import { and, eq } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";

import { events } from "@spellcast/db";

import { grantCredits } from "../credits/grant-credits";
import { createTestUsers, openTestDb } from "../credits/test-support";
import { imageCostTable } from "../sessions/pricing";
import { castSnapshotSchema } from "../spells/schema";
import { createSpell, updateSpell } from "../spells/manage-spells";
import { CHATGPT_COST } from "../spells/tools";
import { createCast } from "./create-cast";
import { getCast, listCasts } from "./read-casts";

const { db, close } = openTestDb(4);
afterAll(close);

const options = { maxAttempts: 3, holdMs: 3_600_000 };

describe("cast snapshot steps", () => {
  it("a cast keeps the steps its spell had when it began, after the spell is edited (get, list and its event)", async () => {
    const [userId] = await createTestUsers(db, 1);
    if (!userId) throw new Error("no user");
    await grantCredits(db, { userId, amount: 20, reason: "test", subject: { type: "seed", id: userId }, key: "seed" });
    const spell = await createSpell(db, {
      userId,
      spell: { name: "Polish then paint", steps: [{ tool: "chatgpt", params: { prompt: "Polish: {{input}}" } }, { tool: "seedream", params: { size: "512x512" } }] },
    });
    const { cast } = await createCast(db, { userId, spellId: spell.id, input: { kind: "text", text: "a fox" } }, options);
    const frozen = [
      { tool: "chatgpt", cost: CHATGPT_COST },
      { tool: "seedream", cost: imageCostTable["512x512"] },
    ];
    expect(cast.steps).toEqual(frozen);

    await updateSpell(db, { userId, spellId: spell.id, spell: { name: "Tidy", steps: [{ tool: "rewrite", params: {} }] } });

    await expect(getCast(db, { userId, castId: cast.id })).resolves.toMatchObject({ steps: frozen });
    const page = await listCasts(db, { userId, limit: 5 });
    expect(page.items.find((c) => c.id === cast.id)?.steps).toEqual(frozen);
    // The event the browser patches its caches from carries the same plan.
    const [event] = await db.select({ payload: events.payload }).from(events).where(and(eq(events.subjectId, cast.id), eq(events.type, "cast_updated")));
    const payload = castSnapshotSchema.parse((event?.payload as { cast: unknown } | undefined)?.cast);
    expect(payload.steps).toEqual(frozen);
  });
});
