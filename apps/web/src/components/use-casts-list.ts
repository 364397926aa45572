"use client";

import { useInfiniteQuery } from "@tanstack/react-query";

import { useTRPC } from "~/trpc/react";

import { useStreamFallbackInterval } from "./use-stream-fallback";

export const CASTS_PAGE_SIZE = 24;

/** The caller's single casts, newest first, 24 per page; live from `CastsLiveUpdates`, polled while the stream is down. */
export function useCastsList() {
  const trpc = useTRPC();
  const refetchInterval = useStreamFallbackInterval();
  return useInfiniteQuery(
    trpc.casts.list.infiniteQueryOptions({ limit: CASTS_PAGE_SIZE }, { getNextPageParam: (last) => last.nextCursor ?? undefined, refetchInterval }),
  );
}
