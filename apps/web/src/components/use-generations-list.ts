"use client";

import { useInfiniteQuery } from "@tanstack/react-query";

import { useTRPC } from "~/trpc/react";

import { useStreamFallbackInterval } from "./use-stream-fallback";

export const GENERATIONS_PAGE_SIZE = 24;

/** The caller's generations, 24 per page, live from events; polled while the stream is down. */
export function useGenerationsList() {
  const trpc = useTRPC();
  const refetchInterval = useStreamFallbackInterval();
  return useInfiniteQuery(
    trpc.generations.list.infiniteQueryOptions({ limit: GENERATIONS_PAGE_SIZE }, { getNextPageParam: (last) => last.nextCursor ?? undefined, refetchInterval }),
  );
}
