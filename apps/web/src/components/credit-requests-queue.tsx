"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import type { OpenCreditRequest } from "@spellcast/core/credits/credit-request-schema";

import { useTRPC } from "~/trpc/react";

import type { Decision } from "./decide-credit-request-dialog";
import { DecideCreditRequestDialog } from "./decide-credit-request-dialog";
import { toUserMessage } from "./error-message";
import { formatAge } from "./format-age";
import { formatCredits, formatNumber } from "./format-credits";
import { FormAlert } from "./form-alert";
import { useCreditRequestsLiveUpdates } from "./use-credit-requests-live";
import { useStreamFallbackInterval } from "./use-stream-fallback";
import { ReasonCell } from "./reason-cell";

/** Admins: every user's open credit requests, oldest first, each to grant or decline. */
export function CreditRequestsQueue() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const refetchInterval = useStreamFallbackInterval();
  const requests = useQuery(trpc.admin.creditRequests.list.queryOptions(undefined, { refetchInterval }));
  useCreditRequestsLiveUpdates();
  const [deciding, setDeciding] = useState<{ request: OpenCreditRequest; decision: Decision } | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.admin.creditRequests.list.queryKey() });

  if (requests.isPending) return <div className="skeleton-line" aria-busy="true" />;
  if (requests.isError) return <FormAlert message={`Could not load the requests: ${toUserMessage(requests.error)}`} />;
  return (
    <div className="stack">
      {done && (
        <p className="notice notice--success" role="status" data-testid="credit-request-decided">
          {done}
        </p>
      )}
      {requests.data.length === 0 ? (
        <p className="muted" data-testid="no-credit-requests">
          No open requests.
        </p>
      ) : (
        <div className="table-wrap">
          <table className="table table--sticky-actions">
            <caption className="visually-hidden">Open credit requests, oldest first</caption>
            <thead>
              <tr>
                <th scope="col">User</th>
                <th scope="col">Amount</th>
                <th scope="col">Reason</th>
                <th scope="col">Asked</th>
                <th scope="col">Balance</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {requests.data.map((request) => (
                <tr key={request.id} data-testid="open-credit-request">
                  <th scope="row" className="table__name">
                    {request.userName} <span className="muted">{request.userEmail}</span>
                  </th>
                  <td>{formatCredits(request.amount)}</td>
                  <ReasonCell text={request.reason} />
                  <td>
                    <time dateTime={request.createdAt.toISOString()} title={request.createdAt.toString()}>
                      {formatAge(request.createdAt)}
                    </time>
                  </td>
                  <td>{formatNumber(request.balance)}</td>
                  <td>
                    <div className="table__buttons">
                      <button type="button" className="button button--small button--primary" onClick={() => setDeciding({ request, decision: "grant" })}>
                        Grant…
                      </button>
                      <button type="button" className="button button--small button--danger-outline" onClick={() => setDeciding({ request, decision: "decline" })}>
                        Decline…
                      </button>
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {deciding && (
        <DecideCreditRequestDialog
          key={`${deciding.request.id}:${deciding.decision}`}
          request={deciding.request}
          decision={deciding.decision}
          onDone={(message) => {
            setDeciding(null);
            setDone(message);
          }}
          onSettled={() => void refresh()}
          onClose={() => setDeciding(null)}
        />
      )}
    </div>
  );
}
