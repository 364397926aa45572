import { describe, expect, it } from "vitest";

import type { SpellStep } from "./schema";
import { spellInputSchema } from "./validate-spell";

const step = (tool: SpellStep["tool"]): SpellStep => ({ tool, params: {} });
const issuesOf = (steps: SpellStep[], name = "A spell") => {
  const parsed = spellInputSchema.safeParse({ name, steps });
  return parsed.success ? [] : parsed.error.issues.map((i) => ({ path: i.path, message: i.message }));
};

describe("spell validation", () => {
  it("accepts chains whose every output is the next step's input", () => {
    expect(issuesOf([step("joycaption"), step("rewrite"), step("chatgpt")])).toEqual([]);
    expect(issuesOf([step("chatgpt"), step("seedream")])).toEqual([]);
  });

  it("names the step that cannot take the previous output, with both step numbers", () => {
    expect(issuesOf([step("chatgpt"), step("joycaption")])).toEqual([
      { path: ["steps", 1, "tool"], message: "Step 2 (joycaption) takes an image, but step 1 (chatgpt) gives text" },
    ]);
  });

  it("an image-making step anywhere but last is refused on that step", () => {
    expect(issuesOf([step("seedream"), step("rewrite")])).toEqual([
      { path: ["steps", 0, "tool"], message: "Step 1 (seedream) makes an image: it can only be the last step" },
    ]);
  });

  it("refuses a blank name, no steps, more than ten, and an unknown tool", () => {
    expect(issuesOf([step("rewrite")], "   ")).toEqual([{ path: ["name"], message: "Name the spell" }]);
    expect(issuesOf([])).toEqual([{ path: ["steps"], message: "Add at least one step" }]);
    expect(issuesOf(Array.from({ length: 11 }, () => step("rewrite")))).toHaveLength(1);
    expect(spellInputSchema.safeParse({ name: "x", steps: [{ tool: "dalle", params: {} }] }).success).toBe(false);
  });
});
