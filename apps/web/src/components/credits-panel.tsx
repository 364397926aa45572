"use client";

import { CreditHistoryCard } from "./credit-history-card";
import { CreditHoldsCard } from "./credit-holds-card";
import { CreditRequestCard } from "./credit-request-card";
import { CreditSummaryCard } from "./credit-summary-card";
import { GrantCreditsForm } from "./grant-credits-form";
import { useCurrentUser } from "./use-current-user";

export function CreditsPanel() {
  const { user } = useCurrentUser();
  return (
    <div className="stack">
      <CreditSummaryCard />
      <CreditRequestCard />
      {user?.role === "admin" && (
        <section className="card" aria-labelledby="grant-title" data-testid="grant-credits">
          <h2 className="card__title" id="grant-title">
            Grant credits <span className="badge badge--accent">Admin</span>
          </h2>
          <p className="card__lead">Adds credits to any user&apos;s balance, recorded in their history with you as the granting admin.</p>
          <GrantCreditsForm />
        </section>
      )}
      <CreditHoldsCard />
      <CreditHistoryCard />
    </div>
  );
}
