import { describe, expect, it } from "vitest";

import type { SessionSnapshot } from "@spellcast/core/sessions/schema";
import type { SpellSnapshot } from "@spellcast/core/spells/schema";

import { castStepRows, plannedSteps } from "./cast-steps";
import { at, castSnap, failure, SPELL_ID, stepSnap, uuid } from "./cast-test-fixtures";

const spell = (updatedAt: string): SpellSnapshot => ({
  id: SPELL_ID,
  name: "Polish",
  steps: [
    { tool: "rewrite", params: {} },
    { tool: "chatgpt", params: { prompt: "Polish: {{input}}" } },
    { tool: "seedream", params: {} },
  ],
  builtIn: false,
  cost: 5,
  input: "text",
  output: "image",
  createdAt: at(0),
  updatedAt,
});

describe("plannedSteps", () => {
  it("uses the spell's steps only while it is unchanged since the cast began", () => {
    const cast = castSnap(10);
    expect(plannedSteps(spell(at(5)), cast)?.map((s) => s.tool)).toEqual(["rewrite", "chatgpt", "seedream"]);
    expect(plannedSteps(spell(at(11)), cast)).toBeNull();
    expect(plannedSteps(undefined, cast)).toBeNull();
  });
});

describe("castStepRows", () => {
  const none = () => undefined;

  it("lists started steps by their sessions, then loading and pending ones", () => {
    const cast = castSnap(10, { stepGenerationIds: [uuid(0x5000), uuid(0x5001)], currentStep: 1 });
    const sessions = new Map<string, SessionSnapshot>([[uuid(0x5000), stepSnap(cast, 0, { tool: "rewrite", status: "completed" })]]);
    const rows = castStepRows(cast, (id) => sessions.get(id), spell(at(1)).steps);
    expect(rows.map((r) => [r.tool, r.status])).toEqual([
      ["rewrite", "completed"],
      ["chatgpt", "loading"],
      ["seedream", "pending"],
    ]);
  });

  it("marks steps an ended cast never reached as skipped, and a step it could not pay for as failed", () => {
    const canceled = castSnap(10, { status: "canceled", stepGenerationIds: [uuid(0x5000)] });
    expect(castStepRows(canceled, none, spell(at(1)).steps).map((r) => r.status)).toEqual(["loading", "skipped", "skipped"]);
    const unpaid = castSnap(10, { status: "failed", stepGenerationIds: [uuid(0x5000)], errorDetails: failure(1) });
    const rows = castStepRows(unpaid, none, null);
    expect(rows.map((r) => [r.status, r.failedUnstarted])).toEqual([
      ["loading", false],
      ["failed", true],
    ]);
  });

  it("without the plan, shows only the steps that started", () => {
    const cast = castSnap(10, { stepGenerationIds: [uuid(0x5000)] });
    expect(castStepRows(cast, none, null)).toHaveLength(1);
  });
});
