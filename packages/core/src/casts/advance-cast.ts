import { eq } from "drizzle-orm";

import type { DbOrTx } from "@spellcast/db";
import { generationSessions } from "@spellcast/db";

import { fitsBudget } from "../captions/budget";
import { failCaptionInTx, landCaptionInTx } from "../captions/land-caption";
import type { CaptionSetRow } from "../captions/snapshot";
import { emitCaptionSetEvent, lockCaptionSet, updateCaptionSet } from "../captions/snapshot";
import { sessionOutputsSchema } from "../sessions/schema";
import type { SessionOutputs } from "../sessions/schema";
import type { SessionRow } from "../sessions/snapshot";
import { stepCost } from "../spells/tools";
import { createStepSessionInTx, isLocalStep, nextInput, runLocalStepInTx, stepJobOf } from "./create-step";
import { lockAccountInTx } from "./lock-account";
import type { CaptionWrite, ChainResult } from "./schema";
import { emptyChain } from "./schema";
import type { CastRow } from "./snapshot";
import { castInputOf, emitCastEvent, isActiveCast, lockCast, updateCast } from "./snapshot";

/**
 * Step `session` of a cast just completed (same transaction, session and account locks held, its
 * outputs stored): counts its charge on the set, then creates the next step — local steps run
 * right here — or, after the last step, completes the cast and lands its caption.
 */
export async function advanceCastInTx(tx: DbOrTx, session: SessionRow, charged: number): Promise<ChainResult> {
  if (!session.castId) return emptyChain();
  const cast = await lockCast(tx, session.castId);
  if (!isActiveCast(cast.status)) return emptyChain();
  let set = cast.captionSetId ? await lockCaptionSet(tx, cast.captionSetId) : null;
  if (set && charged > 0) set = await updateCaptionSet(tx, set.id, { spent: set.spent + charged });
  return continueCastInTx(tx, { cast, set, fromStep: session.stepIndex ?? 0, snapshot: session.outputs, sessionId: session.id });
}

/**
 * Carries a cast on after step `fromStep` (completed). Also used by resume for casts a pause left
 * waiting between steps. The next step's input is read from the step's stored output row.
 */
export async function continueCastInTx(
  tx: DbOrTx,
  params: { cast: CastRow; set: CaptionSetRow | null; fromStep: number; snapshot: unknown; sessionId: string },
): Promise<ChainResult> {
  const input = castInputOf(params.cast);
  let cast = params.cast;
  const set = params.set;
  let step = params.fromStep;
  let sessionId = params.sessionId;
  let snapshot = params.snapshot;
  for (;;) {
    const stored = await storedOutput(tx, sessionId);
    const next = input.steps[step + 1];
    if (!next) return finishCastInTx(tx, { cast, set, stored, snapshot });
    const nextIn = nextInput(stored);
    if (!nextIn) throw new Error(`cast ${cast.id}: step ${step} stored no output the next step can read`);
    const create = { cast, stepIndex: step + 1, step: next, input: nextIn, options: input.options };
    if (isLocalStep(next)) {
      const ran = await runLocalStepInTx(tx, create);
      cast = ran.cast;
      step += 1;
      sessionId = ran.session.id;
      snapshot = ran.session.outputs;
      continue;
    }
    const blocked = await blockedBy(tx, cast, set, stepCost(next));
    if (blocked) {
      cast = await updateCast(tx, cast.id, { currentStep: step + 1 });
      return { next: [], captionWrite: null, castStatus: cast.status };
    }
    const created = await createStepSessionInTx(tx, create);
    return { next: [stepJobOf(created.session, created.cast)], captionWrite: null, castStatus: created.cast.status };
  }
}

/**
 * Null when the next paid step may start; else the set, now `paused` (budget or credits short):
 * the cast waits between steps until a resume creates the step.
 */
async function blockedBy(tx: DbOrTx, cast: CastRow, set: CaptionSetRow | null, cost: number): Promise<CaptionSetRow | null> {
  if (!set) return null;
  if (set.status !== "in_progress") return set;
  const account = await lockAccountInTx(tx, cast.userId);
  const available = account ? account.balance - account.held : 0;
  if (available >= cost && (await fitsBudget(tx, set, cost))) return null;
  const paused = await updateCaptionSet(tx, set.id, { status: "paused" });
  await emitCaptionSetEvent(tx, paused);
  return paused;
}

async function storedOutput(tx: DbOrTx, sessionId: string): Promise<SessionOutputs | null> {
  const [row] = await tx.select({ outputs: generationSessions.outputs }).from(generationSessions).where(eq(generationSessions.id, sessionId));
  const parsed = sessionOutputsSchema.safeParse(row?.outputs);
  return parsed.success ? parsed.data : null;
}

async function finishCastInTx(
  tx: DbOrTx,
  params: { cast: CastRow; set: CaptionSetRow | null; stored: SessionOutputs | null; snapshot: unknown },
): Promise<ChainResult> {
  const { set } = params;
  const output = params.stored ?? { kind: "text" as const, text: "" };
  const cast = await updateCast(tx, params.cast.id, { status: "completed", output, completedAt: new Date() });
  await emitCastEvent(tx, cast);
  if (!set) return { next: [], captionWrite: null, castStatus: cast.status };
  const snapshotOut = sessionOutputsSchema.safeParse(params.snapshot);
  const snapshotText = snapshotOut.success && snapshotOut.data.kind === "text" ? snapshotOut.data.text : "";
  const storedText = params.stored?.kind === "text" ? params.stored.text : "";
  const landed = await landCaptionInTx(tx, { set, cast, text: storedText });
  const captionWrite: CaptionWrite = {
    captionId: landed.captionId,
    captionSetId: set.id,
    imageIndex: cast.imageIndex,
    castId: cast.id,
    textLength: storedText.length,
    sources: { completionSnapshot: snapshotText.length > 0, stepStoredOutput: storedText.length > 0 },
    fieldsRead: ["generation_sessions.outputs.kind", "generation_sessions.outputs.text"],
    landed: landed.landed,
    setFlippedTo: landed.flipped ? landed.set.status : null,
  };
  return { next: [], captionWrite, castStatus: cast.status };
}

/** Step `session` failed for good: the cast fails with its error details; its caption is counted failed. */
export async function failCastInTx(tx: DbOrTx, session: SessionRow): Promise<ChainResult> {
  if (!session.castId) return emptyChain();
  const current = await lockCast(tx, session.castId);
  if (!isActiveCast(current.status)) return emptyChain();
  const set = current.captionSetId ? await lockCaptionSet(tx, current.captionSetId) : null;
  const cast = await updateCast(tx, current.id, {
    status: "failed",
    currentStep: session.stepIndex ?? current.currentStep,
    errorDetails: { ...(session.errorDetails ?? {}), failedStep: session.stepIndex ?? 0 },
    completedAt: new Date(),
  });
  await emitCastEvent(tx, cast);
  if (set) await failCaptionInTx(tx, { set, cast });
  return { next: [], captionWrite: null, castStatus: cast.status };
}

/** Step `session` was canceled: the cast ends canceled; its caption stays pending (a resume may re-cast it). */
export async function cancelCastInTx(tx: DbOrTx, session: SessionRow): Promise<void> {
  if (!session.castId) return;
  const current = await lockCast(tx, session.castId);
  if (!isActiveCast(current.status)) return;
  const cast = await updateCast(tx, current.id, { status: "canceled", completedAt: new Date() });
  await emitCastEvent(tx, cast);
}
