"use client";

import { useQueryClient } from "@tanstack/react-query";

import { useTRPC } from "~/trpc/react";

import { useStreamEvent } from "./event-stream-provider";
import { readAgain } from "./live-query";

/**
 * Keeps the credit-request lists live: a `credit_request_updated` event (to the requester and
 * to every admin) only names the request and its status, so the lists on screen are read again;
 * a fresh stream's cursor does the same, covering what committed before it opened.
 */
export function useCreditRequestsLiveUpdates() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const refresh = () => {
    // Only cached queries are read: a user never has the admins' list.
    readAgain(queryClient, { queryKey: trpc.credits.requests.list.queryKey() });
    readAgain(queryClient, { queryKey: trpc.admin.creditRequests.list.queryKey() });
  };
  useStreamEvent("credit_request_updated", refresh);
  useStreamEvent("cursor", refresh);
}
