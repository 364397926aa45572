import { z } from "zod";

import type { DataKind } from "./schema";
import { spellStepSchema } from "./schema";
import { tools } from "./tools";

const kindPhrase: Record<DataKind, string> = { image: "an image", text: "text" };

/**
 * A spell as written by a person: tools exist, and each step's output is the next one's input.
 * Chain issues sit on the step they name (`["steps", i, "tool"]`), worded with step numbers as
 * the editor shows them; the browser runs the same schema to show them while the user edits.
 */
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
        ctx.addIssue({
          code: "custom",
          path: ["steps", i, "tool"],
          message: `Step ${i + 1} (${step.tool}) makes an image: it can only be the last step`,
        });
        return;
      }
      const out = tools[step.tool].output;
      const wanted = tools[next.tool].input;
      if (out !== wanted) {
        ctx.addIssue({
          code: "custom",
          path: ["steps", i + 1, "tool"],
          message: `Step ${i + 2} (${next.tool}) takes ${kindPhrase[wanted]}, but step ${i + 1} (${step.tool}) gives ${kindPhrase[out]}`,
        });
      }
    });
  });
export type SpellInput = z.input<typeof spellInputSchema>;
