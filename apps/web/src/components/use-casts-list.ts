"use client";

import { useInfiniteQuery } from "@tanstack/react-query";

import { useTRPC } from "~/trpc/react";

export const CASTS_PAGE_SIZE = 24;

/** The caller's single casts, newest first, 24 per page; kept live by `CastsLiveUpdates`, not polled. */
export function useCastsList() {
  const trpc = useTRPC();
  return useInfiniteQuery(
    trpc.casts.list.infiniteQueryOptions({ limit: CASTS_PAGE_SIZE }, { getNextPageParam: (last) => last.nextCursor ?? undefined }),
  );
}
