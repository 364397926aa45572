import type { InfiniteData } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";

// Types only from the API; the schema module is browser-safe (zod, no database).
import type { AppRouter } from "@spellcast/api";
import type { SessionSnapshot } from "@spellcast/core/sessions/schema";
import { isTerminalStatus } from "@spellcast/core/sessions/schema";

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

/** The list's order: newest first by createdAt, then id (as the server's keyset). */
export function compareNewestFirst(a: SessionSnapshot, b: SessionSnapshot): number {
  if (a.createdAt !== b.createdAt) return a.createdAt > b.createdAt ? -1 : 1;
  if (a.id === b.id) return 0;
  return a.id > b.id ? -1 : 1;
}

/**
 * Applies one snapshot to the cached pages: merged in place when present; otherwise inserted
 * where it belongs among the loaded items. A session older than everything loaded while more
 * pages exist is left for "Load more" (the server returns it there, current).
 */
export function patchPages(data: GenerationsData | undefined, snapshot: SessionSnapshot): GenerationsData | undefined {
  if (!data) return data;
  let found = false;
  const pages = data.pages.map((page) => {
    const index = page.items.findIndex((item) => item.id === snapshot.id);
    if (index < 0) return page;
    found = true;
    const merged = mergeSnapshot(page.items[index], snapshot);
    if (merged === page.items[index]) return page;
    return { ...page, items: page.items.map((item, i) => (i === index ? merged : item)) };
  });
  if (found) return { ...data, pages };

  for (const [p, page] of pages.entries()) {
    const position = page.items.findIndex((item) => compareNewestFirst(snapshot, item) < 0);
    const isLast = p === pages.length - 1;
    if (position < 0 && !(isLast && page.nextCursor === null)) continue;
    const at = position < 0 ? page.items.length : position;
    const items = [...page.items.slice(0, at), snapshot, ...page.items.slice(at)];
    return { ...data, pages: pages.map((pg, i) => (i === p ? { ...pg, items } : pg)) };
  }
  return data;
}

/** Whether a card can show this snapshot as it is (else the session is read again). */
export function hasWhatCardNeeds(snapshot: SessionSnapshot): boolean {
  if (snapshot.status === "completed") return snapshot.outputs !== null;
  if (snapshot.status === "failed") return snapshot.errorDetails !== null;
  return true;
}
