import { stepInputSchema } from "@spellcast/core";
import type { SessionSnapshot, StepInput } from "@spellcast/core";

import { FatalGenerationError } from "../generation-errors";

/** The step's input, read from the session row the chaining transaction committed. */
export function stepInputOf(session: SessionSnapshot, kind: StepInput["kind"]): StepInput {
  const parsed = stepInputSchema.safeParse(session.params.input);
  if (!parsed.success || parsed.data.kind !== kind) {
    throw invalidStep(`step ${session.stepIndex ?? "?"} (${session.tool}) has no ${kind} input`);
  }
  return parsed.data;
}

export function invalidStep(message: string): FatalGenerationError {
  return new FatalGenerationError({ providerStatus: null, providerMessage: message, providerBody: null, requestId: null, reason: "invalid_payload", fatal: true });
}
