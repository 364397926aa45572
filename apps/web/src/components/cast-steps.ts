import type { SessionSnapshot, SessionStatus } from "@spellcast/core/sessions/schema";
import type { CastSnapshot, SpellSnapshot, SpellStep } from "@spellcast/core/spells/schema";

import { isActiveCast } from "./cast-cache";

/**
 * A step as the cast page lists it: its session's status once it has one; before that `pending`
 * (still to come), `loading` (created, its session not read yet) or `skipped` (the cast ended first).
 */
export type CastStepStatus = SessionStatus | "pending" | "loading" | "skipped";

export interface CastStepRow {
  index: number;
  tool: string;
  status: CastStepStatus;
  session: SessionSnapshot | null;
  /** The cast failed here before this step had a session (its hold was refused). */
  failedUnstarted: boolean;
}

/**
 * The steps still to come, from the spell as it is now, if it has not been edited since the cast
 * began (the cast keeps a frozen copy the API does not return); otherwise they show up as they start.
 */
export function plannedSteps(spell: SpellSnapshot | undefined, cast: CastSnapshot): SpellStep[] | null {
  if (!spell || spell.id !== cast.spellId || spell.updatedAt > cast.createdAt) return null;
  return spell.steps;
}

/** Every step of the cast in order: those with sessions, then the planned ones not started. */
export function castStepRows(
  cast: CastSnapshot,
  sessionOf: (id: string) => SessionSnapshot | undefined,
  planned: readonly SpellStep[] | null,
): CastStepRow[] {
  const failedStep = cast.status === "failed" ? (cast.errorDetails?.failedStep ?? null) : null;
  const count = Math.max(cast.stepGenerationIds.length, planned?.length ?? 0, failedStep === null ? 0 : failedStep + 1);
  return Array.from({ length: count }, (_, index): CastStepRow => {
    const id = cast.stepGenerationIds[index];
    const session = id ? (sessionOf(id) ?? null) : null;
    const tool = session?.tool ?? planned?.[index]?.tool ?? "step";
    if (session) return { index, tool, status: session.status, session, failedUnstarted: false };
    if (id) return { index, tool, status: "loading", session: null, failedUnstarted: false };
    if (index === failedStep) return { index, tool, status: "failed", session: null, failedUnstarted: true };
    return { index, tool, status: isActiveCast(cast.status) ? "pending" : "skipped", session: null, failedUnstarted: false };
  });
}
