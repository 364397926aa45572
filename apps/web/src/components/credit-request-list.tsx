"use client";

import { useMutation } from "@tanstack/react-query";

import type { CreditRequestView } from "@spellcast/core/credits/credit-request-schema";

import { useTRPC } from "~/trpc/react";

import { CreditRequestStatusBadge } from "./credit-request-status";
import { DateTime } from "./date-time";
import { toUserMessage } from "./error-message";
import { formatCredits } from "./format-credits";
import { FormAlert } from "./form-alert";
import { ReasonCell } from "./reason-cell";

/** What the answer was: the amount granted (when not what was asked), when, and the admin's note. */
function Answer({ request }: { request: CreditRequestView }) {
  if (request.status === "open" || !request.closedAt) return <span className="muted">—</span>;
  const other = request.grantedAmount !== null && request.grantedAmount !== request.amount;
  return (
    <span className="ledger-for">
      <span>
        {other && request.grantedAmount !== null ? `${formatCredits(request.grantedAmount)} granted · ` : ""}
        <DateTime value={request.closedAt} />
      </span>
      {request.note && (
        <span className="ledger-for__reason" data-testid="credit-request-note">
          “{request.note}”
        </span>
      )}
    </span>
  );
}

/** The user's requests, newest first; an open one can be withdrawn. */
export function CreditRequestList({ requests, onChanged }: { requests: CreditRequestView[]; onChanged: () => void }) {
  const trpc = useTRPC();
  const withdraw = useMutation(trpc.credits.requests.withdraw.mutationOptions({ onSuccess: onChanged }));
  return (
    <>
      <FormAlert message={withdraw.error ? toUserMessage(withdraw.error) : null} />
      <div className="table-wrap">
        <table className="table table--sticky-actions">
          <caption className="visually-hidden">Your credit requests, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Asked</th>
              <th scope="col">Amount</th>
              <th scope="col">Reason</th>
              <th scope="col">Status</th>
              <th scope="col">Answer</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {requests.map((request) => (
              <tr key={request.id} data-testid="credit-request-row" data-status={request.status}>
                <td>
                  <DateTime value={request.createdAt} />
                </td>
                <th scope="row" className="table__name">
                  {formatCredits(request.amount)}
                </th>
                <ReasonCell text={request.reason} />
                <td>
                  <CreditRequestStatusBadge status={request.status} />
                </td>
                <td className="table__long">
                  <Answer request={request} />
                </td>
                <td>
                  {request.status === "open" && (
                    <button
                      type="button"
                      className="button button--small button--danger-outline"
                      disabled={withdraw.isPending}
                      onClick={() => withdraw.mutate({ requestId: request.id })}
                    >
                      Withdraw
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
