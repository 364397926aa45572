"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useCallback } from "react";

import type { SessionSnapshot } from "@spellcast/core/sessions/schema";

import { useTRPC } from "~/trpc/react";

import type { GenerationsData } from "./generation-cache";
import { mergeSnapshot, patchPages } from "./generation-cache";
import { useGenerationLiveStore } from "./generation-live-store";
import { patchQueries, patchQuery } from "./live-query";

/**
 * Puts one snapshot everywhere the tab keeps it, at once: the live store, every cached
 * `generations.list` (patched or inserted in order; not for spell steps, which it never lists)
 * and the cached `generations.get` of that id.
 */
export function useApplySession(): (snapshot: SessionSnapshot) => void {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const store = useGenerationLiveStore();
  return useCallback(
    (snapshot: SessionSnapshot) => {
      const merged = store.noteSnapshot(snapshot);
      // The list holds single generations only: a caption run's thousands of steps never patch it.
      if (merged.castId === null) {
        patchQueries<GenerationsData>(queryClient, { queryKey: trpc.generations.list.infiniteQueryKey() }, (data) => patchPages(data, merged));
      }
      patchQuery(queryClient, trpc.generations.get.queryKey({ id: merged.id }), (current) => (current ? mergeSnapshot(current, merged) : undefined));
    },
    [queryClient, store, trpc],
  );
}
