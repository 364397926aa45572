"use client";

import { useInfiniteQuery } from "@tanstack/react-query";

import { useTRPC } from "~/trpc/react";

import { useEventStreamStatus } from "./event-stream-provider";

export const GENERATIONS_PAGE_SIZE = 24;
/** While the event stream is down (or not open yet), the list is refetched this often. */
export const GENERATIONS_POLL_MS = 10_000;

/** The caller's generations, 24 per page, live from events; polled while the stream is down. */
export function useGenerationsList() {
  const trpc = useTRPC();
  const live = useEventStreamStatus() === "connected";
  return useInfiniteQuery(
    trpc.generations.list.infiniteQueryOptions(
      { limit: GENERATIONS_PAGE_SIZE },
      {
        getNextPageParam: (last) => last.nextCursor ?? undefined,
        refetchInterval: live ? false : GENERATIONS_POLL_MS,
      },
    ),
  );
}
