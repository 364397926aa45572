import { describe, expect, it } from "vitest";

import { imageSizeLabel } from "./image-size-label";
import { checkSpellDraft, editableSteps } from "./spell-draft";

describe("checkSpellDraft", () => {
  it("a valid chain: no errors, its input and output kinds and its cost", () => {
    const check = checkSpellDraft({ name: "Caption", steps: [{ tool: "joycaption", params: {} }, { tool: "rewrite", params: {} }, { tool: "chatgpt", params: {} }] });
    expect(check).toMatchObject({ nameError: null, otherError: null, input: "image", output: "text", cost: 3 });
    expect(check.stepErrors.size).toBe(0);
  });

  it("puts a chain error on the step that cannot follow, and a blank name on the name", () => {
    const check = checkSpellDraft({ name: " ", steps: [{ tool: "chatgpt", params: {} }, { tool: "joycaption", params: {} }] });
    expect([...check.stepErrors]).toEqual([[1, "Step 2 (JoyCaption) takes an image, but step 1 (ChatGPT) gives text"]]);
    expect(check.nameError).toBe("Name the spell");
  });

  it("an image step's cost follows its size; no steps is its own error", () => {
    expect(checkSpellDraft({ name: "Draw", steps: [{ tool: "chatgpt", params: {} }, { tool: "seedream", params: { size: "512x512" } }] }).cost).toBe(3);
    expect(checkSpellDraft({ name: "Empty", steps: [] })).toMatchObject({ otherError: "Add at least one step", input: null, cost: 0 });
  });

  it("a Seedream step's size out of the allowed ones is said on that step", () => {
    const check = checkSpellDraft({ name: "Draw", steps: [{ tool: "chatgpt", params: {} }, { tool: "seedream", params: { size: "4096x4096" } }] });
    expect(check.stepErrors.get(1)).toBe("Step 2 (Seedream): the image size must be one of 512x512, 768x768, 1024x1024, 1024x1536, 1536x1024");
  });

  it("a stored spell opens with each step's params fitted to its tool, so it saves again", () => {
    const steps = editableSteps([
      { tool: "chatgpt", params: { prompt: "Polish: {{input}}" } },
      { tool: "seedream", params: { prompt: "left over from chatgpt" } },
    ]);
    expect(steps).toEqual([
      { tool: "chatgpt", params: { prompt: "Polish: {{input}}" } },
      { tool: "seedream", params: { size: "1024x1024" } },
    ]);
    expect(checkSpellDraft({ name: "Old", steps }).stepErrors.size).toBe(0);
  });

  it("sizes are worded as on the Generate page", () => {
    expect(imageSizeLabel("1024x1024")).toBe("1024 × 1024");
    expect(imageSizeLabel("1024x1536")).toBe("1024 × 1536 (portrait)");
    expect(imageSizeLabel("1536x1024")).toBe("1536 × 1024 (landscape)");
  });
});
