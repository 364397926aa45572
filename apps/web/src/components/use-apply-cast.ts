"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useCallback } from "react";

import type { CastSnapshot } from "@spellcast/core/spells/schema";

import { useTRPC } from "~/trpc/react";

import type { CastsData } from "./cast-cache";
import { mergeCast, patchCastPages } from "./cast-cache";
import { patchQueries, patchQuery } from "./live-query";

/**
 * Puts one cast snapshot everywhere the tab keeps it, at once: its `casts.get` (inserted, so a
 * page opened next shows it without a read) and every cached `casts.list` (patched or inserted in
 * order). A read in flight, which may answer with what it saw before this snapshot, gets it too
 * (live-query.ts).
 */
export function useApplyCast(): (cast: CastSnapshot) => void {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return useCallback(
    (cast: CastSnapshot) => {
      const getKey = trpc.casts.get.queryKey({ castId: cast.id });
      // A caption run's casts live on the captions page, not in the lists: only a cast page holding one keeps it.
      const inRun = cast.captionSetId !== null;
      if (inRun && queryClient.getQueryData(getKey) === undefined && queryClient.isFetching({ queryKey: getKey }) === 0) return;
      patchQuery(queryClient, getKey, (current) => mergeCast(current, cast));
      if (inRun) return;
      patchQueries<CastsData>(queryClient, { queryKey: trpc.casts.list.infiniteQueryKey() }, (data) => patchCastPages(data, cast));
    },
    [queryClient, trpc],
  );
}
