import type { SessionOutputs } from "../sessions/schema";
import type { SessionRow } from "../sessions/snapshot";
import type { SpellStep } from "../spells/schema";
import { renderPrompt, rewriteText, tools } from "../spells/tools";
import type { StepInput, StepJob } from "./schema";
import type { CastRow } from "./snapshot";

/** The session params of a step: its template, the rendered prompt (shown on cards) and its input. */
export function stepParams(step: SpellStep, input: StepInput): Record<string, unknown> {
  const text = input.kind === "text" ? input.text : "";
  const prompt = step.tool === "chatgpt" ? renderPrompt(step.params.prompt, text) : step.tool === "joycaption" ? String(step.params.prompt ?? "") : text;
  // The template stays beside the rendered prompt: a tool may send instruction and input apart.
  return { ...step.params, promptTemplate: step.params.prompt ?? null, prompt, input };
}

/** The queue job of a created step session: its cast's metadata travels with it. */
export function stepJobOf(session: SessionRow, cast: CastRow): StepJob {
  return {
    sessionId: session.id,
    userId: cast.userId,
    maxAttempts: session.maxAttempts,
    cast: {
      castId: cast.id,
      spellId: cast.spellId,
      stepIndex: session.stepIndex ?? 0,
      datasetId: cast.datasetId,
      imageIndex: cast.imageIndex,
      captionSetId: cast.captionSetId,
    },
  };
}

/** Runs a local tool (no provider, no queue): the output is computed here, in the caller's transaction. */
export function runLocalTool(step: SpellStep, input: StepInput): SessionOutputs {
  if (step.tool !== "rewrite" || input.kind !== "text") throw new Error(`${step.tool} is not a local tool for ${input.kind}`);
  return { kind: "text", text: rewriteText(input.text) };
}

export const isLocalStep = (step: SpellStep) => tools[step.tool].local;

/** The input of the step after `output`: a step's stored output is the next step's input. */
export function nextInput(output: SessionOutputs | null): StepInput | null {
  if (output?.kind === "text") return { kind: "text", text: output.text };
  return null;
}

