import { randomUUID } from "node:crypto";

import type { DbOrTx } from "@spellcast/db";

import { landCaptionsInTx } from "../captions/land-caption";
import type { SetBook } from "../captions/set-book";
import type { LedgerBatch } from "../credits/ledger-batch";
import { toReserveOp } from "../credits/reserve-credits";
import type { ErrorDetails } from "../sessions/error-details";
import type { SessionOutputs } from "../sessions/schema";
import { sessionOutputsSchema } from "../sessions/schema";
import { toSessionSnapshot } from "../sessions/snapshot";
import { stepCost } from "../spells/tools";
import { isLocalStep, nextInput, runLocalTool, stepJobOf, stepParams } from "./steps";
import type { CaptionWrite, ChainResult, ContinueAs } from "./schema";
import type { CastRow } from "./snapshot";
import { castInputOf, emitCastEvent } from "./snapshot";
import type { NewSession } from "./insert-step-sessions";
import { insertStepSessions } from "./insert-step-sessions";
import type { CastChange } from "./write-casts";
import { writeCasts } from "./write-casts";

/** A cast to carry on: step `fromStep` has completed (-1: none has, it starts from its source). */
export interface Continuation {
  cast: CastRow;
  fromStep: number;
  /** That step's output as stored in its session row: the next step's input, or the caption. */
  stored: SessionOutputs | null;
  /** What the completing worker handed in (logged beside the stored output when a caption lands). */
  snapshot: unknown;
  /** The completing job runs the next paid step itself: it is created `running`, owned by that job. */
  continueAs?: ContinueAs;
  /** A new cast built by the caller: it is inserted here, already moved on, rather than updated. */
  unsaved?: boolean;
}

export interface ContinueOptions {
  /**
   * The caller's last statements, which need the batch planned but not written (the book's and
   * the ledger's writes): sent with the batch's own writes, one round trip less. It may not run
   * (nothing to write, or captions land): the caller runs it after, so it must run once at most.
   */
  alongside?: () => Promise<unknown>;
}

interface Plan {
  work: Continuation;
  /** Sessions to create, in step order: local steps (already completed) then at most one paid step. */
  sessions: NewSession[];
  /** That paid step: `queued` for the queue, or `running` for the completing job (`continueAs`). */
  paid: NewSession | null;
  /** The next paid step could not start (credits short, or its set ended): the cast waits there. */
  waitAt: number | null;
  finish: { stored: SessionOutputs | null; snapshot: unknown } | null;
  /** A cast outside a caption set cannot wait for credits: it fails at the step it cannot pay for. */
  fail: ErrorDetails | null;
}

/**
 * Moves a batch of casts on, in the caller's transaction (account lock, cast and set locks held):
 * local steps run right here, each cast gets its next paid step as a queued session (or one
 * running for the completing job, `continueAs`) with its own hold (decided in `ledger` for the
 * whole batch; the caller writes it), or — after its last step — completes and lands its caption.
 * Sessions, casts and captions are written with one statement each for the whole batch; set
 * counters go through `book` (the caller flushes it). Results are in the order of `work`.
 */
export async function continueCastsInTx(
  tx: DbOrTx,
  work: readonly Continuation[],
  book: SetBook,
  ledger: LedgerBatch,
  options: ContinueOptions = {},
): Promise<ChainResult[]> {
  if (work.length === 0) return [];
  const plans: Plan[] = [];
  for (const w of work) plans.push(await planCast(w, book));
  await reservePaid(ledger, plans, book);
  const landings = plans.flatMap((p) => (p.finish ? [{ cast: p.work.cast, text: p.finish.stored?.kind === "text" ? p.finish.stored.text : "" }] : []));
  // Once planned, the caller's own last statements may go with these (not when captions land:
  // their counts reach the book only when the landing returns).
  const alongside = landings.length === 0 ? options.alongside : undefined;
  // Pipelined: sessions, casts and captions go out together (in this order: a caption's cost
  // counts the sessions inserted before it).
  const [sessions, updated, captionIds] = await Promise.all([
    insertStepSessions(tx, plans.flatMap((p) => p.sessions)),
    writeCasts(tx, plans.map(castChangeOf)),
    landCaptionsInTx(tx, book, landings),
    alongside?.(),
  ]);
  for (const p of plans) {
    const cast = updated.get(p.work.cast.id);
    if ((p.finish || p.fail) && cast) await emitCastEvent(tx, cast);
  }
  return plans.map((p) => {
    const cast = updated.get(p.work.cast.id) ?? p.work.cast;
    const paid = p.paid ? sessions.get(p.paid.id) : undefined;
    const job = paid ? stepJobOf(paid, cast) : null;
    return {
      next: job && paid?.status === "queued" ? [job] : [],
      continued: job && paid?.status === "running" ? { job, session: toSessionSnapshot(paid) } : null,
      captionWrite: p.finish && cast.captionSetId ? captionWriteOf(cast, p.finish, captionIds.get(cast.id) ?? null) : null,
      castStatus: cast.status,
    };
  });
}

async function planCast(work: Continuation, book: SetBook): Promise<Plan> {
  const input = castInputOf(work.cast);
  const plan: Plan = { work, sessions: [], paid: null, waitAt: null, finish: null, fail: null };
  const setId = work.cast.captionSetId;
  let step = work.fromStep;
  let stored = work.stored;
  let snapshot = work.snapshot;
  for (;;) {
    const next = input.steps[step + 1];
    if (!next) {
      plan.finish = { stored, snapshot };
      return plan;
    }
    const nextIn = step < 0 ? input.source : nextInput(stored);
    if (!nextIn) throw new Error(`cast ${work.cast.id}: step ${step} stored no output the next step can read`);
    const id = randomUUID();
    const session: NewSession = {
      id,
      jobId: `gen_${id}`,
      userId: work.cast.userId,
      tool: next.tool,
      status: "queued",
      params: stepParams(next, nextIn),
      cost: stepCost(next),
      maxAttempts: input.options.maxAttempts,
      castId: work.cast.id,
      stepIndex: step + 1,
    };
    if (isLocalStep(next)) {
      const now = new Date();
      stored = runLocalTool(next, nextIn);
      snapshot = stored;
      plan.sessions.push({ ...session, status: "completed", outputs: stored, attempts: 1, startedAt: now, completedAt: now });
      step += 1;
      continue;
    }
    if (setId && !book.open(setId)) {
      plan.waitAt = step + 1;
      return plan;
    }
    const paid = work.continueAs ? claimedBy(session, work.continueAs) : session;
    plan.sessions.push(paid);
    plan.paid = paid;
    return plan;
  }
}

/** `session` created running for the job that completed the step before it: attempt 1 starts now. */
function claimedBy(session: NewSession, owner: ContinueAs): NewSession {
  return { ...session, status: "running", jobId: owner.jobId, attempts: 1, startedAt: new Date(), leaseMs: owner.leaseMs };
}

/**
 * One hold per paid step, all in one ledger decision (keyed by the new session's own id, so
 * nothing to look up: `fresh`). A hold refused for lack of credits leaves that cast waiting and
 * pauses its set; a cast outside a set has nothing to wait in, so it fails at that step (its
 * earlier steps stay completed and charged). Any other refusal throws.
 */
async function reservePaid(ledger: LedgerBatch, plans: Plan[], book: SetBook): Promise<void> {
  const paying = plans.filter((p): p is Plan & { paid: NewSession } => p.paid !== null && p.paid.cost > 0);
  if (paying.length === 0) return;
  const holdMs = (p: Plan) => castInputOf(p.work.cast).options.holdMs;
  const outcomes = await ledger.decide(
    paying.map((p) => ({
      ...toReserveOp({
        userId: p.work.cast.userId,
        amount: p.paid.cost,
        subject: { type: "session", id: p.paid.id },
        key: `session:${p.paid.id}`,
        expiresAt: new Date(Date.now() + holdMs(p)),
      }),
      fresh: true,
    })),
  );
  paying.forEach((p, i) => {
    const outcome = outcomes[i];
    if (!outcome) throw new Error("ledger: missing outcome");
    if (outcome.ok) {
      if (outcome.value.kind === "reserve") p.paid.reservationId = outcome.value.reservation.id;
      return;
    }
    if (outcome.error.code !== "INSUFFICIENT_CREDITS") throw outcome.error;
    const plan: Plan = p;
    const setId = p.work.cast.captionSetId;
    if (setId) {
      book.pause(setId);
    } else {
      plan.fail = unaffordableStep(p.paid, outcome.error.message);
    }
    plan.waitAt = p.paid.stepIndex;
    plan.sessions = p.sessions.filter((s) => s !== p.paid);
    plan.paid = null;
  });
}

/** Where each plan moves its cast, for `writeCasts`. */
function castChangeOf(p: Plan): CastChange {
  const cast = p.work.cast;
  return {
    cast,
    unsaved: p.work.unsaved ?? false,
    status: p.finish ? "completed" : p.fail ? "failed" : p.sessions.length > 0 ? "running" : cast.status,
    currentStep: p.waitAt ?? p.sessions.at(-1)?.stepIndex ?? cast.currentStep,
    stepIds: [...cast.stepGenerationIds, ...p.sessions.map((s) => s.id)],
    output: p.finish ? (p.finish.stored ?? { kind: "text", text: "" }) : null,
    ended: p.finish !== null || p.fail !== null,
    errorDetails: p.fail ? { ...p.fail, failedStep: p.waitAt } : null,
  };
}

/** The error a cast ends with when its next paid step cannot be held: nothing was called or charged for it. */
function unaffordableStep(step: NewSession, message: string): ErrorDetails {
  const now = new Date().toISOString();
  return {
    providerStatus: null,
    providerMessage: `Step ${step.stepIndex + 1} (${step.tool}, ${step.cost} credits) was not started: ${message}`,
    providerBody: null,
    requestId: null,
    reason: "insufficient_credits",
    attempts: 0,
    maxAttempts: step.maxAttempts ?? 1,
    fatal: true,
    firstFailedAt: now,
    failedAt: now,
    reservationAmount: 0,
    refundedCredits: 0,
    refundedAt: null,
    refundError: null,
  };
}

function captionWriteOf(cast: CastRow, finish: NonNullable<Plan["finish"]>, captionId: string | null): CaptionWrite {
  const snapshot = sessionOutputsSchema.safeParse(finish.snapshot);
  const snapshotText = snapshot.success && snapshot.data.kind === "text" ? snapshot.data.text : "";
  const storedText = finish.stored?.kind === "text" ? finish.stored.text : "";
  return {
    captionId,
    captionSetId: cast.captionSetId ?? "",
    imageIndex: cast.imageIndex,
    castId: cast.id,
    textLength: storedText.length,
    sources: { completionSnapshot: snapshotText.length > 0, stepStoredOutput: storedText.length > 0 },
    fieldsRead: ["generation_sessions.outputs.kind", "generation_sessions.outputs.text"],
    landed: captionId !== null,
    setFlippedTo: null,
  };
}

/** Marks, per set that flipped in this transaction, the last caption written as the one that flipped it. */
export function markFlips(chains: readonly ChainResult[], flips: ReadonlyMap<string, string>): void {
  const seen = new Set<string>();
  for (const chain of [...chains].reverse()) {
    const write = chain.captionWrite;
    if (!write?.landed || seen.has(write.captionSetId)) continue;
    const status = flips.get(write.captionSetId);
    if (status) write.setFlippedTo = status;
    seen.add(write.captionSetId);
  }
}
