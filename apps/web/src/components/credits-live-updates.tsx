"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useRef } from "react";

import { creditsChangedPayloadSchema } from "@spellcast/core/credits/schema";

import { useTRPC } from "~/trpc/react";

import { useStreamEvent } from "./event-stream-provider";
import { atMostEvery } from "./frame-batch";
import { readAgain } from "./live-query";
import { useFrameBatch } from "./use-frame-batch";

/**
 * History and holds are read again at most this often: a caption run's completion batches change
 * the credits tens of times a second, and a read restarted at each would never finish.
 */
const LIST_REFRESH_MS = 500;

/**
 * Keeps the credit queries live from the event stream: a `credits_changed` event carries the
 * account's new figures, which go straight into `credits.balance` (no refetch); history and holds
 * are refetched, at most every LIST_REFRESH_MS. A fresh stream's cursor refreshes everything once, covering whatever committed
 * between the first reads and the subscription.
 */
export function CreditsLiveUpdates() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  // Snapshots are applied one after another, in stream order.
  const queue = useRef<Promise<void>>(Promise.resolve());

  // One read of the lists after the changes of the last LIST_REFRESH_MS, however many there were.
  const changes = useFrameBatch<true>(() => {
    readAgain(queryClient, { queryKey: trpc.credits.history.pathKey() });
    readAgain(queryClient, { queryKey: trpc.credits.holds.queryKey() });
  }, atMostEvery(LIST_REFRESH_MS));

  useStreamEvent("credits_changed", (event) => {
    const parsed = creditsChangedPayloadSchema.safeParse(event.payload);
    const balanceKey = trpc.credits.balance.queryKey();
    if (!parsed.success) {
      void queryClient.invalidateQueries({ queryKey: balanceKey });
      changes.push(true);
      return;
    }
    const { balance, held, available } = parsed.data;
    queue.current = queue.current.then(async () => {
      // A refetch already in flight may have read older figures: drop it, keep the snapshot.
      await queryClient.cancelQueries({ queryKey: balanceKey });
      queryClient.setQueryData(balanceKey, { balance, held, available });
    });
    changes.push(true);
  });

  useStreamEvent("cursor", () => {
    readAgain(queryClient, { queryKey: trpc.credits.balance.queryKey() });
    changes.push(true);
  });

  return null;
}
