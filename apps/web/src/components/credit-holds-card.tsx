"use client";

import { useQuery } from "@tanstack/react-query";

import { useTRPC } from "~/trpc/react";

import { CreditSubject } from "./credit-subject";
import { DateTime } from "./date-time";
import { toUserMessage } from "./error-message";
import { formatCredits } from "./format-credits";
import { FormAlert } from "./form-alert";

/** Open reservations: credits set aside for work that has not finished yet. */
export function CreditHoldsCard() {
  const trpc = useTRPC();
  const holds = useQuery(trpc.credits.holds.queryOptions());
  return (
    <section className="card" aria-labelledby="credit-holds-title">
      <h2 className="card__title" id="credit-holds-title">
        Open holds
      </h2>
      <p className="card__lead">Credits set aside for running jobs: captured when a job succeeds, returned when it fails.</p>
      {holds.isPending ? (
        <div className="skeleton-line" aria-busy="true" />
      ) : holds.isError ? (
        <FormAlert message={`Could not load your holds: ${toUserMessage(holds.error)}`} />
      ) : holds.data.length === 0 ? (
        <p className="muted" data-testid="no-holds">
          Nothing is held right now.
        </p>
      ) : (
        <div className="table-wrap">
          <table className="table">
            <caption className="visually-hidden">Open holds</caption>
            <thead>
              <tr>
                <th scope="col">Amount</th>
                <th scope="col">For</th>
                <th scope="col">Since</th>
                <th scope="col">Expires</th>
              </tr>
            </thead>
            <tbody>
              {holds.data.map((hold) => (
                <tr key={hold.id} data-testid="hold-row">
                  <th scope="row" className="table__name">
                    {formatCredits(hold.amount)}
                  </th>
                  <td>
                    <CreditSubject type={hold.subjectType} id={hold.subjectId} subject={hold.subject} />
                  </td>
                  <td>
                    <DateTime value={hold.createdAt} />
                  </td>
                  <td>
                    <DateTime value={hold.expiresAt} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
