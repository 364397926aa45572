import { describe, expect, it } from "vitest";

import { checkSpellDraft } from "./spell-draft";

describe("checkSpellDraft", () => {
  it("a valid chain: no errors, its input and output kinds and its cost", () => {
    const check = checkSpellDraft({ name: "Caption", steps: [{ tool: "joycaption", params: {} }, { tool: "rewrite", params: {} }, { tool: "chatgpt", params: {} }] });
    expect(check).toMatchObject({ nameError: null, otherError: null, input: "image", output: "text", cost: 3 });
    expect(check.stepErrors.size).toBe(0);
  });

  it("puts a chain error on the step that cannot follow, and a blank name on the name", () => {
    const check = checkSpellDraft({ name: " ", steps: [{ tool: "chatgpt", params: {} }, { tool: "joycaption", params: {} }] });
    expect([...check.stepErrors]).toEqual([[1, "Step 2 (joycaption) takes an image, but step 1 (chatgpt) gives text"]]);
    expect(check.nameError).toBe("Name the spell");
  });

  it("an image step's cost follows its size; no steps is its own error", () => {
    expect(checkSpellDraft({ name: "Draw", steps: [{ tool: "chatgpt", params: {} }, { tool: "seedream", params: { size: "512x512" } }] }).cost).toBe(3);
    expect(checkSpellDraft({ name: "Empty", steps: [] })).toMatchObject({ otherError: "Add at least one step", input: null, cost: 0 });
  });
});
