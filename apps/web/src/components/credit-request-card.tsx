"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";

import { useTRPC } from "~/trpc/react";

import { CreditRequestForm } from "./credit-request-form";
import { CreditRequestList } from "./credit-request-list";
import { toUserMessage } from "./error-message";
import { FormAlert } from "./form-alert";
import { useCreditRequestsLiveUpdates } from "./use-credit-requests-live";
import { useStreamFallbackInterval } from "./use-stream-fallback";

/**
 * Spellcast sells nothing: a user who needs credits asks the admins here, one request at a time,
 * and sees each answer (live, from the event stream) with the admin's note.
 */
export function CreditRequestCard() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const refetchInterval = useStreamFallbackInterval();
  const requests = useQuery(trpc.credits.requests.list.queryOptions(undefined, { refetchInterval }));
  useCreditRequestsLiveUpdates();
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.credits.requests.list.queryKey() });
  const open = requests.data?.some((r) => r.status === "open") ?? false;
  return (
    <section className="card" id="request-credits" aria-labelledby="request-credits-title" data-testid="request-credits">
      <h2 className="card__title" id="request-credits-title">
        Request credits
      </h2>
      <p className="card__lead">Ask an admin for more credits. You see the answer here, and a grant reaches your balance at once.</p>
      {requests.isPending ? (
        <div className="skeleton-line" aria-busy="true" />
      ) : requests.isError ? (
        <FormAlert message={`Could not load your requests: ${toUserMessage(requests.error)}`} />
      ) : (
        <>
          {open ? (
            <p className="muted" data-testid="credit-request-waiting">
              Your request is waiting for an admin. You can send another once it is answered, or withdraw it.
            </p>
          ) : (
            <CreditRequestForm onSent={refresh} />
          )}
          {requests.data.length > 0 && <CreditRequestList requests={requests.data} onChanged={refresh} />}
        </>
      )}
    </section>
  );
}
