"use client";

import { toUserMessage } from "./error-message";
import { formatNumber } from "./format-credits";
import { FormAlert } from "./form-alert";
import { useCreditBalance } from "./use-credit-balance";

/** Balance, held and available, side by side. */
export function CreditSummaryCard() {
  const balance = useCreditBalance();
  const figures = [
    { key: "balance", label: "Balance", hint: "Every credit you own", value: balance.data?.balance },
    { key: "held", label: "Held", hint: "Reserved by running jobs", value: balance.data?.held },
    { key: "available", label: "Available", hint: "What you can spend now", value: balance.data?.available },
  ] as const;
  return (
    <section className="card" aria-labelledby="credit-summary-title">
      <h2 className="card__title" id="credit-summary-title">
        Your credits
      </h2>
      {balance.isError && !balance.data ? (
        <FormAlert message={`Could not load your balance: ${toUserMessage(balance.error)}`} />
      ) : (
        <dl className="stat-grid" aria-busy={balance.isPending || undefined}>
          {figures.map((f) => (
            <div className="stat" key={f.key} data-testid={`credit-summary-${f.key}`}>
              <dt className="stat__label">{f.label}</dt>
              <dd className="stat__value">{f.value === undefined ? "—" : formatNumber(f.value)}</dd>
              <dd className="stat__hint">{f.hint}</dd>
            </div>
          ))}
        </dl>
      )}
    </section>
  );
}
