import type { DataKind, SpellStep } from "@spellcast/core/spells/schema";
import { paramsForTool, spellCost, tools } from "@spellcast/core/spells/tools";
import { spellInputSchema } from "@spellcast/core/spells/validate-spell";

/** What the editor shows of a draft while it is written: the server checks it with the same schema. */
export interface DraftCheck {
  /** Per step index, why it cannot follow the step before it (or be where it is). */
  stepErrors: Map<number, string>;
  nameError: string | null;
  /** Anything else (no steps, too many). */
  otherError: string | null;
  input: DataKind | null;
  output: DataKind | null;
  cost: number;
}

export function checkSpellDraft(draft: { name: string; steps: readonly SpellStep[] }): DraftCheck {
  const stepErrors = new Map<number, string>();
  let nameError: string | null = null;
  let otherError: string | null = null;
  const parsed = spellInputSchema.safeParse(draft);
  for (const issue of parsed.success ? [] : parsed.error.issues) {
    const [field, index] = issue.path;
    if (field === "name") nameError ??= issue.message;
    else if (field === "steps" && typeof index === "number") stepErrors.set(index, stepErrors.get(index) ?? issue.message);
    else otherError ??= issue.message;
  }
  const first = draft.steps[0];
  const last = draft.steps.at(-1);
  return {
    stepErrors,
    nameError,
    otherError,
    input: first ? tools[first.tool].input : null,
    output: last ? tools[last.tool].output : null,
    cost: spellCost(draft.steps),
  };
}

/**
 * The steps an editor starts from: each step's params kept to what its tool takes, so a spell saved
 * before params were checked (a leftover prompt on a Seedream step) saves again as it is edited.
 */
export function editableSteps(steps: readonly SpellStep[]): SpellStep[] {
  return steps.map((step) => ({ tool: step.tool, params: paramsForTool(step.tool, step.params) }));
}
