import type { InfiniteData } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";

// Types only from the API; the schema module is browser-safe (zod, no database).
import type { AppRouter } from "@spellcast/api";
import type { SessionSnapshot } from "@spellcast/core/sessions/schema";
import { isTerminalStatus } from "@spellcast/core/sessions/schema";

import { upsertNewestFirst } from "./newest-first-pages";

export type GenerationsPage = inferRouterOutputs<AppRouter>["generations"]["list"];
export type GenerationsCursor = GenerationsPage["nextCursor"];
export type GenerationsData = InfiniteData<GenerationsPage, GenerationsCursor | undefined>;

/**
 * The snapshot to keep when two describe one session: a terminal status never moves back to an
 * active one; otherwise the newer `updatedAt` wins (ties: the incoming one). The newest
 * `error_details` survive a merge with a snapshot of the same status that has none.
 */
export function mergeSnapshot(current: SessionSnapshot | undefined, incoming: SessionSnapshot): SessionSnapshot {
  if (!current) return incoming;
  const currentEnded = isTerminalStatus(current.status);
  const incomingEnded = isTerminalStatus(incoming.status);
  let winner: SessionSnapshot;
  let other: SessionSnapshot;
  if (currentEnded !== incomingEnded) {
    [winner, other] = currentEnded ? [current, incoming] : [incoming, current];
  } else {
    [winner, other] = incoming.updatedAt < current.updatedAt ? [current, incoming] : [incoming, current];
  }
  if (winner.errorDetails === null && other.errorDetails !== null && other.status === winner.status) {
    return { ...winner, errorDetails: other.errorDetails };
  }
  return winner;
}

/**
 * Applies one snapshot to the cached pages (merged in place, or inserted in order; see
 * `upsertNewestFirst`). A spell step is never inserted: the list holds single generations only, and
 * every step's events reach this tab too (a caption run's would flood the history).
 */
export function patchPages(data: GenerationsData | undefined, snapshot: SessionSnapshot): GenerationsData | undefined {
  if (snapshot.castId !== null) return data;
  return upsertNewestFirst(data, snapshot, mergeSnapshot);
}

/** Whether a card can show this snapshot as it is (else the session is read again). */
export function hasWhatCardNeeds(snapshot: SessionSnapshot): boolean {
  if (snapshot.status === "completed") return snapshot.outputs !== null;
  if (snapshot.status === "failed") return snapshot.errorDetails !== null;
  return true;
}
