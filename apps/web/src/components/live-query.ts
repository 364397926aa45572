import type { DataTag, Query, QueryClient, QueryFilters, QueryKey } from "@tanstack/react-query";
import { hashKey } from "@tanstack/react-query";

/*
 * Patching cached reads from the event stream, without losing a patch to a read in flight.
 *
 * A read answers with what the database held when the server ran it. An event that reaches the
 * tab while that read is in flight may be newer than its answer, and the answer then overwrites
 * it. `invalidateQueries` does not help on a first read: TanStack Query only joins the read in
 * flight while the query holds no data, so the event was lost for good (a caption run's page
 * stayed "in progress" after every caption had landed). Here a patch made during a read is
 * applied again to that read's answer, and a read asked for during a read runs once after it.
 * Patches must be merges where the newer snapshot wins, so applying one twice changes nothing.
 */

type Update = (old: unknown) => unknown;

interface InFlight {
  updates: Update[];
  readAgain: boolean;
}

const inFlightByClient = new WeakMap<QueryClient, Map<string, InFlight>>();

/** What was asked of each query's read in flight; the cache listener settles it when the read does. */
function inFlightOf(queryClient: QueryClient): Map<string, InFlight> {
  const known = inFlightByClient.get(queryClient);
  if (known) return known;
  const byHash = new Map<string, InFlight>();
  inFlightByClient.set(queryClient, byHash);
  queryClient.getQueryCache().subscribe((event) => {
    const hash = event.query.queryHash;
    if (event.type === "removed") byHash.delete(hash);
    if (event.type !== "updated") return;
    const { action } = event;
    // A read that starts now sees everything that reached the tab before it.
    if (action.type === "fetch" || action.type === "error") byHash.delete(hash);
    if (action.type !== "success" || action.manual) return;
    const owed = byHash.get(hash);
    if (!owed) return;
    byHash.delete(hash);
    const queryKey: QueryKey = event.query.queryKey;
    if (owed.updates.length > 0) queryClient.setQueryData(queryKey, (data: unknown) => owed.updates.reduce((d, update) => update(d), data));
    if (owed.readAgain) void queryClient.invalidateQueries({ queryKey, exact: true });
  });
  return byHash;
}

function owedByReadInFlight(queryClient: QueryClient, query: Query | undefined): InFlight | null {
  if (query?.state.fetchStatus !== "fetching") return null;
  const byHash = inFlightOf(queryClient);
  let owed = byHash.get(query.queryHash);
  if (!owed) byHash.set(query.queryHash, (owed = { updates: [], readAgain: false }));
  return owed;
}

/** `setQueryData` that a read in flight cannot undo: `update` is applied now and again to its answer. */
export function patchQuery<T, E>(queryClient: QueryClient, queryKey: DataTag<QueryKey, T, E>, update: (old: T | undefined) => T | undefined): void {
  queryClient.setQueryData<T>(queryKey, update);
  // Looked up by hash (the default key hash, which every query here uses), not by a scan of the cache.
  owedByReadInFlight(queryClient, queryClient.getQueryCache().get(hashKey(queryKey)))?.updates.push(update as Update);
}

/** `patchQuery` for every cached query `filters` match (e.g. each `casts.list` cached). */
export function patchQueries<T>(queryClient: QueryClient, filters: QueryFilters, update: (old: T | undefined) => T | undefined): void {
  for (const query of queryClient.getQueryCache().findAll(filters)) {
    queryClient.setQueryData<T>(query.queryKey, update);
    owedByReadInFlight(queryClient, query)?.updates.push(update as Update);
  }
}

/**
 * Reads the matching queries again: now, or, for one with a read in flight, once that read has
 * answered (its answer may predate what asked for this; cancelling it instead would start over
 * on every event of a busy run and never answer).
 */
export function readAgain(queryClient: QueryClient, filters: QueryFilters): void {
  for (const query of queryClient.getQueryCache().findAll(filters)) {
    const owed = owedByReadInFlight(queryClient, query);
    if (owed) owed.readAgain = true;
    else void queryClient.invalidateQueries({ queryKey: query.queryKey, exact: true });
  }
}
