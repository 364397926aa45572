import { randomUUID } from "node:crypto";

import type { DbOrTx } from "@spellcast/db";
import { casts, generationSessions } from "@spellcast/db";

import { reserveCreditsInTx } from "../credits/reserve-credits";
import type { SessionOutputs } from "../sessions/schema";
import { emitSessionEvent, updateSession } from "../sessions/snapshot";
import type { SessionRow } from "../sessions/snapshot";
import type { SpellStep } from "../spells/schema";
import { renderPrompt, rewriteText, stepCost, tools } from "../spells/tools";
import type { CastInput, StepInput, StepJob, StepOptions } from "./schema";
import type { CastRow } from "./snapshot";
import { updateCast } from "./snapshot";

/** The session params of a step: its template, the rendered prompt (shown on cards) and its input. */
export function stepParams(step: SpellStep, input: StepInput): Record<string, unknown> {
  const text = input.kind === "text" ? input.text : "";
  const prompt = step.tool === "chatgpt" ? renderPrompt(step.params.prompt, text) : step.tool === "joycaption" ? String(step.params.prompt ?? "") : text;
  // The template stays beside the rendered prompt: a tool may send instruction and input apart.
  return { ...step.params, promptTemplate: step.params.prompt ?? null, prompt, input };
}

/**
 * Creates step `stepIndex` of a cast as a queued generation session with its own reservation and
 * event, and appends it to the cast's `stepGenerationIds`. Call with the account lock held.
 */
export async function createStepSessionInTx(
  tx: DbOrTx,
  params: { cast: CastRow; stepIndex: number; step: SpellStep; input: StepInput; options: StepOptions },
): Promise<{ session: SessionRow; cast: CastRow }> {
  const { cast, step } = params;
  const id = randomUUID();
  const cost = stepCost(step);
  const [inserted] = await tx
    .insert(generationSessions)
    .values({
      id,
      userId: cast.userId,
      tool: step.tool,
      status: "queued",
      params: stepParams(step, params.input),
      cost,
      maxAttempts: params.options.maxAttempts,
      jobId: `gen_${id}`,
      castId: cast.id,
      stepIndex: params.stepIndex,
    })
    .returning();
  if (!inserted) throw new Error("step session insert returned no row");
  let session = inserted;
  if (cost > 0) {
    const { reservation } = await reserveCreditsInTx(tx, {
      userId: cast.userId,
      amount: cost,
      subject: { type: "session", id },
      key: `session:${id}`,
      expiresAt: new Date(Date.now() + params.options.holdMs),
    });
    session = await updateSession(tx, id, { reservationId: reservation.id });
  }
  await emitSessionEvent(tx, "session_created", session);
  const updated = await updateCast(tx, cast.id, {
    status: "running",
    currentStep: params.stepIndex,
    stepGenerationIds: [...cast.stepGenerationIds, id],
  });
  return { session, cast: updated };
}

/** The queue job of a created step session: its cast's metadata travels with it. */
export function stepJobOf(session: SessionRow, cast: CastRow): StepJob {
  return {
    sessionId: session.id,
    userId: cast.userId,
    maxAttempts: session.maxAttempts,
    cast: { castId: cast.id, spellId: cast.spellId, stepIndex: session.stepIndex ?? 0, datasetId: cast.datasetId, imageIndex: cast.imageIndex },
  };
}

/** Runs a local tool (no provider, no queue): the output is computed here, in the caller's transaction. */
export function runLocalTool(step: SpellStep, input: StepInput): SessionOutputs {
  if (step.tool !== "rewrite" || input.kind !== "text") throw new Error(`${step.tool} is not a local tool for ${input.kind}`);
  return { kind: "text", text: rewriteText(input.text) };
}

/** Creates and completes a local step in one go: a free session, completed with its output. */
export async function runLocalStepInTx(
  tx: DbOrTx,
  params: { cast: CastRow; stepIndex: number; step: SpellStep; input: StepInput; options: StepOptions },
): Promise<{ session: SessionRow; cast: CastRow }> {
  const created = await createStepSessionInTx(tx, params);
  const now = new Date();
  const session = await updateSession(tx, created.session.id, {
    status: "completed",
    outputs: runLocalTool(params.step, params.input),
    attempts: 1,
    startedAt: now,
    completedAt: now,
  });
  await emitSessionEvent(tx, "session_completed", session);
  return { session, cast: created.cast };
}

export const isLocalStep = (step: SpellStep) => tools[step.tool].local;

/** The input of the step after `output`: a step's stored output is the next step's input. */
export function nextInput(output: SessionOutputs | null): StepInput | null {
  if (output?.kind === "text") return { kind: "text", text: output.text };
  return null;
}

export const castStep = (input: CastInput, index: number): SpellStep | undefined => input.steps[index];
export { casts };
