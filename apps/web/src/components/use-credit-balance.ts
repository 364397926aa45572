"use client";

import { useQuery } from "@tanstack/react-query";

import { useTRPC } from "~/trpc/react";

import { useStreamFallbackInterval } from "./use-stream-fallback";

/** The caller's balance: patched live from `credits_changed` events, polled while the stream is down. */
export function useCreditBalance() {
  const trpc = useTRPC();
  const refetchInterval = useStreamFallbackInterval();
  return useQuery(trpc.credits.balance.queryOptions(undefined, { refetchInterval }));
}
