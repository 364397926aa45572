"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useCallback } from "react";

import type { CastSnapshot } from "@spellcast/core/spells/schema";

import { useTRPC } from "~/trpc/react";

import type { CastsData } from "./cast-cache";
import { mergeCast, patchCastPages } from "./cast-cache";

/**
 * Puts one cast snapshot everywhere the tab keeps it, at once: its `casts.get` (inserted, so a
 * page opened next shows it without a read) and every cached `casts.list` (patched or inserted in
 * order). A read in flight would answer with what it saw before this snapshot and overwrite it:
 * such a read is started again, so the newer state comes back with it.
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
      queryClient.setQueryData(getKey, (current) => mergeCast(current, cast));
      if (queryClient.isFetching({ queryKey: getKey }) > 0) void queryClient.invalidateQueries({ queryKey: getKey });
      if (inRun) return;
      const listKey = trpc.casts.list.infiniteQueryKey();
      queryClient.setQueriesData<CastsData>({ queryKey: listKey }, (data) => patchCastPages(data, cast));
      if (queryClient.isFetching({ queryKey: listKey }) > 0) void queryClient.invalidateQueries({ queryKey: listKey });
    },
    [queryClient, trpc],
  );
}
