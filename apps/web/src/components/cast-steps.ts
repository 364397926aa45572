import type { SessionSnapshot, SessionStatus } from "@spellcast/core/sessions/schema";
import type { CastSnapshot } from "@spellcast/core/spells/schema";

import { isActiveCast } from "./cast-cache";

/**
 * A step as the cast page lists it: its session's status once it has one; before that `pending`
 * (not started: still to come), `loading` (created, its session not read yet) or `skipped` (the
 * cast ended first).
 */
export type CastStepStatus = SessionStatus | "pending" | "loading" | "skipped";

export interface CastStepRow {
  index: number;
  tool: string;
  /** Credits the step costs: its session's once it has one, else the cast's frozen plan's. */
  cost: number | null;
  status: CastStepStatus;
  session: SessionSnapshot | null;
  /** The cast failed here before this step had a session (its hold was refused). */
  failedUnstarted: boolean;
  /** The step ran in the earlier cast this one carried on from (and was charged there). */
  carried: boolean;
}

/**
 * Every step of the cast in order, from the plan the cast froze when it began (`cast.steps`), so
 * later edits to its spell never change what is listed; a step with a session shows that session.
 */
export function castStepRows(cast: CastSnapshot, sessionOf: (id: string) => SessionSnapshot | undefined): CastStepRow[] {
  const failedStep = cast.status === "failed" ? (cast.errorDetails?.failedStep ?? null) : null;
  // The plan covers every step; the max only guards a snapshot and its step ids disagreeing.
  const count = Math.max(cast.stepGenerationIds.length, cast.steps.length, failedStep === null ? 0 : failedStep + 1);
  return Array.from({ length: count }, (_, index): CastStepRow => {
    const id = cast.stepGenerationIds[index];
    const session = id ? (sessionOf(id) ?? null) : null;
    const planned = cast.steps[index];
    const tool = session?.tool ?? planned?.tool ?? "step";
    const cost = session?.cost ?? planned?.cost ?? null;
    const row = { index, tool, cost, session, failedUnstarted: false, carried: index < carriedCount(cast) };
    if (session) return { ...row, status: session.status };
    if (id) return { ...row, status: "loading" };
    if (index === failedStep) return { ...row, status: "failed", failedUnstarted: true };
    return { ...row, status: isActiveCast(cast.status) ? "pending" : "skipped" };
  });
}

/** How many leading steps the cast carried over from an earlier cast (their sessions are that cast's). */
export const carriedCount = (cast: CastSnapshot) => cast.carriedFrom?.steps ?? 0;

/** Credits the cast charges if every step it runs itself runs (its frozen plan, less the steps carried over). */
export const castPlanCost = (cast: CastSnapshot) => cast.steps.slice(carriedCount(cast)).reduce((sum, step) => sum + step.cost, 0);

/**
 * What retrying a failed cast runs: it carries over the leading steps that completed (the server
 * carries exactly those: the cast's own frozen steps, each with its stored output) and the last
 * step always runs; `fromStep` is the first step it runs, `credits` what its steps cost.
 */
export function retryPlan(cast: CastSnapshot, sessionOf: (id: string) => SessionSnapshot | undefined): { fromStep: number; credits: number } {
  let fromStep = 0;
  while (fromStep < cast.steps.length - 1) {
    const id = cast.stepGenerationIds[fromStep];
    if (!id || sessionOf(id)?.status !== "completed") break;
    fromStep += 1;
  }
  return { fromStep, credits: cast.steps.slice(fromStep).reduce((sum, step) => sum + step.cost, 0) };
}
