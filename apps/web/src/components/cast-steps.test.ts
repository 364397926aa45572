import { describe, expect, it } from "vitest";

import type { SessionSnapshot } from "@spellcast/core/sessions/schema";
import type { CastStep } from "@spellcast/core/spells/schema";

import { castPlanCost, castStepRows, retryPlan } from "./cast-steps";
import { castSnap, failure, stepSnap, uuid } from "./cast-test-fixtures";

/** The plan a cast froze when it began: a free rewrite, a chat step, an image. */
const plan: CastStep[] = [
  { tool: "rewrite", cost: 0 },
  { tool: "chatgpt", cost: 1 },
  { tool: "seedream", cost: 4 },
];

describe("castStepRows", () => {
  const none = () => undefined;

  it("lists every step of the cast's own plan before any has started, each not started with its cost", () => {
    const rows = castStepRows(castSnap(10, { steps: plan }), none);
    expect(rows.map((r) => [r.tool, r.status, r.cost])).toEqual([
      ["rewrite", "pending", 0],
      ["chatgpt", "pending", 1],
      ["seedream", "pending", 4],
    ]);
  });

  it("lists started steps by their sessions, then loading and not-started ones from the plan", () => {
    const cast = castSnap(10, { steps: plan, stepGenerationIds: [uuid(0x5000), uuid(0x5001)], currentStep: 1 });
    const sessions = new Map<string, SessionSnapshot>([[uuid(0x5000), stepSnap(cast, 0, { tool: "rewrite", status: "completed", cost: 0 })]]);
    const rows = castStepRows(cast, (id) => sessions.get(id));
    expect(rows.map((r) => [r.tool, r.status])).toEqual([
      ["rewrite", "completed"],
      ["chatgpt", "loading"],
      ["seedream", "pending"],
    ]);
  });

  it("follows the cast's plan, not its spell: a one-step snapshot lists one step, a three-step one three", () => {
    // The cast page has no spell in this call at all: what it lists comes from the snapshot alone.
    expect(castStepRows(castSnap(10, { steps: [{ tool: "chatgpt", cost: 1 }] }), none).map((r) => r.tool)).toEqual(["chatgpt"]);
    expect(castStepRows(castSnap(10, { steps: plan }), none)).toHaveLength(3);
  });

  it("marks steps an ended cast never reached as skipped, and a step it could not pay for as failed", () => {
    const canceled = castSnap(10, { status: "canceled", steps: plan, stepGenerationIds: [uuid(0x5000)] });
    expect(castStepRows(canceled, none).map((r) => r.status)).toEqual(["loading", "skipped", "skipped"]);
    const unpaid = castSnap(10, { status: "failed", steps: plan, stepGenerationIds: [uuid(0x5000)], errorDetails: failure(1) });
    expect(castStepRows(unpaid, none).map((r) => [r.tool, r.status, r.failedUnstarted])).toEqual([
      ["rewrite", "loading", false],
      ["chatgpt", "failed", true],
      ["seedream", "skipped", false],
    ]);
  });

  it("a started step shows its session's cost and tool", () => {
    const cast = castSnap(10, { steps: plan, stepGenerationIds: [uuid(0x5000)] });
    const session = stepSnap(cast, 0, { tool: "rewrite", status: "running", cost: 0 });
    const [first] = castStepRows(cast, (id) => (id === session.id ? session : undefined));
    expect(first).toMatchObject({ tool: "rewrite", status: "running", cost: 0, session });
  });
});

describe("a cast that carried steps over from a failed one", () => {
  const carried = castSnap(10, { steps: plan, stepGenerationIds: [uuid(0x5000), uuid(0x5001)], currentStep: 1, carriedFrom: { castId: uuid(0xc001), steps: 1 } });

  it("marks the carried steps and lists the rest as its own", () => {
    const rows = castStepRows(carried, () => undefined);
    expect(rows.map((r) => [r.tool, r.carried])).toEqual([
      ["rewrite", true],
      ["chatgpt", false],
      ["seedream", false],
    ]);
  });

  it("costs only the steps it runs itself", () => {
    const costly = { ...carried, carriedFrom: { castId: uuid(0xc001), steps: 2 } };
    expect(castPlanCost(costly)).toBe(4);
  });
});

describe("castPlanCost", () => {
  it("sums the plan's step costs", () => {
    expect(castPlanCost(castSnap(10, { steps: plan }))).toBe(5);
  });
});

describe("retryPlan", () => {
  const failedAt = (step: number, completed: number) => {
    const cast = castSnap(10, { steps: plan, status: "failed", stepGenerationIds: [uuid(0x5000), uuid(0x5001), uuid(0x5002)].slice(0, step + 1) });
    const sessions = new Map(cast.stepGenerationIds.map((id, i) => [id, stepSnap(cast, i, { id, status: i < completed ? "completed" : "failed" })]));
    return retryPlan(cast, (id) => sessions.get(id));
  };

  it("starts at the first step that did not complete and costs the steps from there", () => {
    expect(failedAt(1, 1)).toEqual({ fromStep: 1, credits: 5 });
    expect(failedAt(2, 2)).toEqual({ fromStep: 2, credits: 4 });
  });

  it("runs every step again when the first failed", () => {
    expect(failedAt(0, 0)).toEqual({ fromStep: 0, credits: 5 });
  });

  it("always runs the last step, even if its session completed", () => {
    expect(failedAt(2, 3)).toEqual({ fromStep: 2, credits: 4 });
  });
});
