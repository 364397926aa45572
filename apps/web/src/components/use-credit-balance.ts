"use client";

import { useQuery } from "@tanstack/react-query";

import { useTRPC } from "~/trpc/react";

import { useEventStreamStatus } from "./event-stream-provider";

/** While the event stream is down (or not open), the balance is refetched this often. */
export const BALANCE_POLL_MS = 10_000;

/** The caller's balance: patched live from `credits_changed` events, polled while the stream is down. */
export function useCreditBalance() {
  const trpc = useTRPC();
  const live = useEventStreamStatus() === "connected";
  return useQuery(trpc.credits.balance.queryOptions(undefined, { refetchInterval: live ? false : BALANCE_POLL_MS }));
}
