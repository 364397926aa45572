import { isDeepStrictEqual } from "node:util";

import { and, eq } from "drizzle-orm";

import type { DbOrTx } from "@spellcast/db";
import { casts, generationSessions } from "@spellcast/db";

import { anyOf } from "../lib/any-of";
import type { SessionOutputs } from "../sessions/schema";
import { sessionOutputsSchema } from "../sessions/schema";
import type { CarriedSteps, SpellStep } from "../spells/schema";
import { spellCost } from "../spells/tools";
import type { CastInput, StepInput } from "./schema";
import { castInputSchema } from "./schema";

/** Where a new cast of the same input can start: after the steps a failed cast completed. */
export interface CarryOver {
  carried: CarriedSteps;
  /** Those steps' sessions, in step order: they lead the new cast's step ids. */
  stepIds: string[];
  /** The last of them's stored output: the next step's input. */
  stored: SessionOutputs;
}

/** The steps a cast runs (and pays for) itself: those after the ones it carried over. */
export const ownSteps = (input: CastInput): SpellStep[] => input.steps.slice(input.carriedFrom?.steps ?? 0);

/** What a cast still costs with the steps it carries over: the cost of the steps it runs itself. */
export const castOwnCost = (input: CastInput) => spellCost(ownSteps(input));

/**
 * For each failed cast of `earlier` (keyed by its id), the steps a new cast of the same source
 * with `steps` (the spell as it is now) need not run again: the leading steps it completed, with
 * an output stored, while each is still the same step of the spell. A step after an edited one
 * runs again (its input may differ), and so does the last step, always: a re-run casts something.
 * Casts with nothing to carry over are left out.
 */
export async function findCarryOvers(
  tx: DbOrTx,
  earlier: ReadonlyArray<{ castId: string; source: StepInput }>,
  steps: readonly SpellStep[],
): Promise<Map<string, CarryOver>> {
  if (earlier.length === 0 || steps.length < 2) return new Map();
  const sources = new Map(earlier.map((e) => [e.castId, e.source]));
  const rows = await tx
    .select({ id: casts.id, input: casts.input, stepIds: casts.stepGenerationIds })
    .from(casts)
    .where(and(anyOf(casts.id, sources.keys()), eq(casts.status, "failed")));
  const sessionIds = rows.flatMap((r) => r.stepIds.slice(0, steps.length - 1));
  const sessions = sessionIds.length
    ? await tx
        .select({ id: generationSessions.id, status: generationSessions.status, outputs: generationSessions.outputs })
        .from(generationSessions)
        .where(anyOf(generationSessions.id, sessionIds))
    : [];
  const outputs = new Map(sessions.flatMap((s) => (s.status === "completed" ? [[s.id, s.outputs] as const] : [])));
  const found = new Map<string, CarryOver>();
  for (const row of rows) {
    const input = castInputSchema.safeParse(row.input);
    if (!input.success || !isDeepStrictEqual(input.data.source, sources.get(row.id))) continue;
    const carry = leadingCompleted(row.stepIds, input.data.steps, steps, outputs);
    if (carry) found.set(row.id, { carried: { castId: row.id, steps: carry.stepIds.length }, ...carry });
  }
  return found;
}

function leadingCompleted(
  stepIds: readonly string[],
  ran: readonly SpellStep[],
  steps: readonly SpellStep[],
  outputs: ReadonlyMap<string, unknown>,
): { stepIds: string[]; stored: SessionOutputs } | null {
  let stored: SessionOutputs | null = null;
  let count = 0;
  for (; count < steps.length - 1; count++) {
    const id = stepIds[count];
    const output = id === undefined ? undefined : sessionOutputsSchema.safeParse(outputs.get(id));
    if (!output?.success || !isDeepStrictEqual(ran[count], steps[count])) break;
    stored = output.data;
  }
  return stored && count > 0 ? { stepIds: stepIds.slice(0, count), stored } : null;
}
