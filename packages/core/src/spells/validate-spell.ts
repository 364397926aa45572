import { z } from "zod";

import { spellStepSchema } from "./schema";
import { tools } from "./tools";

/** A spell as written by a person: tools exist, and each step's output is the next one's input. */
export const spellInputSchema = z
  .object({
    name: z.string().trim().min(1, "Name the spell").max(80),
    steps: z.array(spellStepSchema).min(1, "Add at least one step").max(10),
  })
  .strict()
  .superRefine((spell, ctx) => {
    spell.steps.forEach((step, i) => {
      const next = spell.steps[i + 1];
      if (!next) return;
      if (tools[step.tool].output === "image") {
        ctx.addIssue({ code: "custom", path: ["steps", i, "tool"], message: `${step.tool} makes an image: it can only be the last step` });
        return;
      }
      const out = tools[step.tool].output;
      const wanted = tools[next.tool].input;
      if (out !== wanted) {
        ctx.addIssue({
          code: "custom",
          path: ["steps", i + 1, "tool"],
          message: `${next.tool} takes ${wanted}, but ${step.tool} gives ${out}`,
        });
      }
    });
  });
export type SpellInput = z.input<typeof spellInputSchema>;
