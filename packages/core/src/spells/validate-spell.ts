import { z } from "zod";

import { generationParamsSchema, MAX_PROMPT_LENGTH } from "../sessions/schema";
import { IMAGE_SIZES } from "./tool-params";
import type { DataKind, SpellStep } from "./schema";
import { spellStepSchema } from "./schema";
import { toolParamsSchemas, tools } from "./tools";

const kindPhrase: Record<DataKind, string> = { image: "an image", text: "text" };

/** "Step 2 (Seedream)": steps as the editor numbers and names them. */
const stepName = (step: SpellStep, i: number) => `Step ${i + 1} (${tools[step.tool].label})`;

/**
 * A spell as written by a person: tools exist, each step's output is the next one's input, and
 * each step's params are the ones its tool takes. Issues sit on the step they name (`["steps", i,
 * …]`), worded with step numbers as the editor shows them; the browser runs the same schema to
 * show them while the user edits. The parsed spell has each tool's defaults filled (a Seedream step
 * saved without a size gets the default one), so a saved spell always casts.
 */
export const spellInputSchema = z
  .object({
    // Runs of spaces count as one: "My  spell" and "My spell" are the same name.
    name: z
      .string()
      .trim()
      .min(1, "Name the spell")
      .max(80)
      .transform((name) => name.replace(/\s+/g, " ")),
    steps: z.array(spellStepSchema).min(1, "Add at least one step").max(10),
  })
  .strict()
  .superRefine((spell, ctx) => {
    spell.steps.forEach((step, i) => {
      for (const issue of paramIssues(step, i)) ctx.addIssue({ code: "custom", ...issue });
      const next = spell.steps[i + 1];
      if (!next) return;
      if (tools[step.tool].output === "image") {
        ctx.addIssue({ code: "custom", path: ["steps", i, "tool"], message: `${stepName(step, i)} makes an image: it can only be the last step` });
        return;
      }
      const out = tools[step.tool].output;
      const wanted = tools[next.tool].input;
      if (out !== wanted) {
        ctx.addIssue({
          code: "custom",
          path: ["steps", i + 1, "tool"],
          message: `${stepName(next, i + 1)} takes ${kindPhrase[wanted]}, but step ${i + 1} (${tools[step.tool].label}) gives ${kindPhrase[out]}`,
        });
      }
    });
  })
  .transform((spell) => ({ ...spell, steps: spell.steps.map(withDefaults) }));
export type SpellInput = z.input<typeof spellInputSchema>;

function withDefaults(step: SpellStep): SpellStep {
  const parsed = toolParamsSchemas[step.tool].safeParse(step.params);
  return parsed.success ? { tool: step.tool, params: parsed.data } : step;
}

const paramRules: Record<string, string> = {
  size: `the image size must be one of ${IMAGE_SIZES.join(", ")}`,
  seed: `the seed must be a whole number from 0 to ${generationParamsSchema.shape.seed.unwrap().maxValue}`,
  prompt: `the prompt must be text of at most ${MAX_PROMPT_LENGTH} characters`,
};

/** Why a step's params don't fit its tool, one issue per param, worded for the person who wrote them. */
function paramIssues(step: SpellStep, i: number): Array<{ path: PropertyKey[]; message: string }> {
  const parsed = toolParamsSchemas[step.tool].safeParse(step.params);
  if (parsed.success) return [];
  return parsed.error.issues.map((issue) => {
    const path = ["steps", i, "params", ...issue.path];
    if (issue.code === "unrecognized_keys") {
      return { path, message: `${stepName(step, i)} takes no ${issue.keys.map((k) => `“${k}”`).join(", ")}` };
    }
    const param = String(issue.path[0]);
    const rule = paramRules[param] ?? `${param}: ${issue.message}`;
    return { path, message: `${stepName(step, i)}: ${rule}` };
  });
}
