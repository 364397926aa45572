import { describe, expect, it } from "vitest";

import type { SpellStep } from "./schema";
import { DEFAULT_IMAGE_SIZE, paramsForTool, withStoredDefaults } from "./tool-params";
import { spellInputSchema } from "./validate-spell";

const step = (tool: SpellStep["tool"], params: SpellStep["params"] = {}): SpellStep => ({ tool, params });
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
      { path: ["steps", 1, "tool"], message: "Step 2 (JoyCaption) takes an image, but step 1 (ChatGPT) gives text" },
    ]);
  });

  it("an image-making step anywhere but last is refused on that step", () => {
    expect(issuesOf([step("seedream"), step("rewrite")])).toEqual([
      { path: ["steps", 0, "tool"], message: "Step 1 (Seedream) makes an image: it can only be the last step" },
    ]);
  });

  it("refuses a blank name, no steps, more than ten, and an unknown tool", () => {
    expect(issuesOf([step("rewrite")], "   ")).toEqual([{ path: ["name"], message: "Name the spell" }]);
    expect(issuesOf([])).toEqual([{ path: ["steps"], message: "Add at least one step" }]);
    expect(issuesOf(Array.from({ length: 11 }, () => step("rewrite")))).toHaveLength(1);
    expect(spellInputSchema.safeParse({ name: "x", steps: [{ tool: "dalle", params: {} }] }).success).toBe(false);
  });

  it("a Seedream step without a size is saved with the Generate page's default; one with a size keeps it", () => {
    expect(DEFAULT_IMAGE_SIZE).toBe("1024x1024");
    const saved = spellInputSchema.parse({ name: "Paint", steps: [step("chatgpt"), step("seedream")] });
    expect(saved.steps[1]).toEqual({ tool: "seedream", params: { size: "1024x1024" } });
    const sized = spellInputSchema.parse({ name: "Paint", steps: [step("chatgpt"), step("seedream", { size: "512x512", seed: 3 })] });
    expect(sized.steps[1]).toEqual({ tool: "seedream", params: { size: "512x512", seed: 3 } });
  });

  it("refuses an unknown size, a bad seed and params a tool doesn't take, on the step's params", () => {
    expect(issuesOf([step("chatgpt"), step("seedream", { size: "2048x2048" })])).toEqual([
      { path: ["steps", 1, "params", "size"], message: "Step 2 (Seedream): the image size must be one of 512x512, 768x768, 1024x1024, 1024x1536, 1536x1024" },
    ]);
    expect(issuesOf([step("chatgpt"), step("seedream", { seed: 1.5 })])).toEqual([
      { path: ["steps", 1, "params", "seed"], message: "Step 2 (Seedream): the seed must be a whole number from 0 to 2147483647" },
    ]);
    expect(issuesOf([step("rewrite", { prompt: "x" })])).toEqual([{ path: ["steps", 0, "params"], message: "Step 1 (Rewrite) takes no “prompt”" }]);
  });

  it("one name however it is spaced: trimmed, runs of spaces as one", () => {
    expect(spellInputSchema.parse({ name: "  Red   fox ", steps: [step("rewrite")] }).name).toBe("Red fox");
  });

  it("a tool change keeps only the params the new tool takes and fills its defaults", () => {
    expect(paramsForTool("joycaption", { prompt: "Describe" })).toEqual({ prompt: "Describe" });
    expect(paramsForTool("seedream", { prompt: "Describe" })).toEqual({ size: "1024x1024" });
    expect(paramsForTool("chatgpt", { size: "512x512", seed: 1 })).toEqual({});
  });

  it("a stored Seedream step without a valid size reads with the default; others read as stored", () => {
    expect(withStoredDefaults(step("seedream"))).toEqual({ tool: "seedream", params: { size: "1024x1024" } });
    expect(withStoredDefaults(step("seedream", { size: "huge", seed: 2 }))).toEqual({ tool: "seedream", params: { size: "1024x1024", seed: 2 } });
    expect(withStoredDefaults(step("seedream", { size: "768x768" }))).toEqual({ tool: "seedream", params: { size: "768x768" } });
    expect(withStoredDefaults(step("chatgpt", { prompt: "p" }))).toEqual({ tool: "chatgpt", params: { prompt: "p" } });
  });
});
