"use client";

import { useInfiniteQuery } from "@tanstack/react-query";

import { useTRPC } from "~/trpc/react";

import { toUserMessage } from "./error-message";
import { FormAlert } from "./form-alert";
import { LedgerRow } from "./ledger-row";
import { LoadMoreButton } from "./load-more-button";

const PAGE_SIZE = 20;

/** The ledger, newest first, a page at a time. */
export function CreditHistoryCard() {
  const trpc = useTRPC();
  const history = useInfiniteQuery(
    trpc.credits.history.infiniteQueryOptions({ limit: PAGE_SIZE }, { getNextPageParam: (page) => page.nextCursor }),
  );
  const entries = history.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <section className="card" aria-labelledby="credit-history-title">
      <h2 className="card__title" id="credit-history-title">
        History
      </h2>
      <p className="card__lead">Every change to your credits, newest first, with what it was for.</p>
      {history.isPending ? (
        <div aria-busy="true">
          <div className="skeleton-line" />
          <div className="skeleton-line" style={{ width: "70%" }} />
        </div>
      ) : history.isError && entries.length === 0 ? (
        <FormAlert message={`Could not load your history: ${toUserMessage(history.error)}`} />
      ) : entries.length === 0 ? (
        <div className="empty-state">
          <p className="empty-state__title">No credit movements yet</p>
        </div>
      ) : (
        <>
          <div className="table-wrap">
            <table className="table ledger-table">
              <caption className="visually-hidden">Credit history, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Date</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Amount</th>
                  <th scope="col">Held</th>
                  <th scope="col">What for</th>
                  <th scope="col">Balance after</th>
                </tr>
              </thead>
              <tbody>
                {entries.map((entry) => (
                  <LedgerRow key={entry.id} entry={entry} />
                ))}
              </tbody>
            </table>
          </div>
          {history.isFetchNextPageError && <FormAlert message={`Could not load more: ${toUserMessage(history.error)}`} />}
          <LoadMoreButton pages={history} />
        </>
      )}
    </section>
  );
}
