import type { InfiniteData } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";

// Types only from the API; the schema modules are browser-safe (zod, no database).
import type { AppRouter } from "@spellcast/api";
import type { SessionSnapshot } from "@spellcast/core/sessions/schema";
import type { CastSnapshot, CastStatus } from "@spellcast/core/spells/schema";

import { upsertNewestFirst } from "./newest-first-pages";

export type CastsPage = inferRouterOutputs<AppRouter>["casts"]["list"];
export type CastsCursor = CastsPage["nextCursor"];
export type CastsData = InfiniteData<CastsPage, CastsCursor | undefined>;

export const isActiveCast = (status: CastStatus) => status === "queued" || status === "running";

/**
 * The snapshot to keep when two describe one cast: an ended cast never moves back to an active
 * one; otherwise the newer `updatedAt` wins (ties: the incoming one). Step ids only ever grow, and
 * the server announces a step moving on through the step's session events, not a `cast_updated`:
 * so the longer step list (patched in from those events) survives a merge with an older read.
 */
export function mergeCast(current: CastSnapshot | undefined, incoming: CastSnapshot): CastSnapshot {
  if (!current) return incoming;
  const currentActive = isActiveCast(current.status);
  const incomingActive = isActiveCast(incoming.status);
  let winner: CastSnapshot;
  let other: CastSnapshot;
  if (currentActive !== incomingActive) {
    [winner, other] = currentActive ? [incoming, current] : [current, incoming];
  } else {
    [winner, other] = incoming.updatedAt < current.updatedAt ? [current, incoming] : [incoming, current];
  }
  if (other.stepGenerationIds.length <= winner.stepGenerationIds.length) return winner;
  return {
    ...winner,
    stepGenerationIds: other.stepGenerationIds,
    currentStep: isActiveCast(winner.status) ? Math.max(winner.currentStep, other.currentStep) : winner.currentStep,
  };
}

/**
 * Whether a step session's event names a step this cast snapshot cannot place: a later step whose
 * earlier ones it does not list yet (it was read before them). Then the cast is read again.
 */
export function missesStepsBefore(cast: CastSnapshot, session: SessionSnapshot): boolean {
  return session.castId === cast.id && session.stepIndex !== null && session.stepIndex > cast.stepGenerationIds.length;
}

/**
 * The cast with one of its step sessions placed: a step created after the snapshot was taken is
 * appended (its events are the only news of it) and becomes the current step. Anything else — a
 * step already listed, another cast's session, a gap — leaves the cast as it is.
 */
export function castWithStep(cast: CastSnapshot, session: SessionSnapshot): CastSnapshot {
  if (session.castId !== cast.id || session.stepIndex === null) return cast;
  if (session.stepIndex !== cast.stepGenerationIds.length) return cast;
  return {
    ...cast,
    stepGenerationIds: [...cast.stepGenerationIds, session.id],
    currentStep: isActiveCast(cast.status) ? Math.max(cast.currentStep, session.stepIndex) : cast.currentStep,
  };
}

/**
 * Applies one cast snapshot to cached `casts.list` pages, newest first (see `upsertNewestFirst`).
 * The list holds single casts only: a caption run's casts (they announce themselves too) are skipped.
 */
export function patchCastPages(data: CastsData | undefined, cast: CastSnapshot): CastsData | undefined {
  if (cast.captionSetId !== null) return data;
  return upsertNewestFirst(data, cast, mergeCast);
}

/** Places a step session in its cast, wherever that cast is among cached `casts.list` pages. */
export function patchCastPagesWithStep(data: CastsData | undefined, session: SessionSnapshot): CastsData | undefined {
  if (!data || session.castId === null) return data;
  let changed = false;
  const pages = data.pages.map((page) => {
    const index = page.items.findIndex((item) => item.id === session.castId);
    const current = page.items[index];
    if (!current) return page;
    const next = castWithStep(current, session);
    if (next === current) return page;
    changed = true;
    return { ...page, items: page.items.map((item, i) => (i === index ? next : item)) };
  });
  return changed ? { ...data, pages } : data;
}
