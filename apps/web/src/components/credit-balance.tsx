"use client";

import Link from "next/link";

import { useEventStreamStatus } from "./event-stream-provider";
import { formatCredits, formatNumber } from "./format-credits";
import { CoinsIcon } from "./icons";
import { useCreditBalance } from "./use-credit-balance";

/** The header's credit balance and what is held, live from the event stream. */
export function CreditBalance() {
  const balance = useCreditBalance();
  const status = useEventStreamStatus();
  const data = balance.data;
  const label = data
    ? `Credit balance: ${formatCredits(data.balance)}${data.held > 0 ? `, ${formatCredits(data.held)} held` : ""}`
    : balance.isError
      ? "Credit balance: unavailable"
      : "Credit balance: loading";
  return (
    <Link
      href="/credits"
      className="credit-balance"
      aria-label={label}
      title={data ? `${formatCredits(data.available)} available` : undefined}
      data-testid="credit-balance"
      data-live={status}
    >
      <CoinsIcon width={15} height={15} />
      {data ? (
        <span>
          <span data-testid="credit-balance-amount">{formatCredits(data.balance)}</span>
          {data.held > 0 && <span className="credit-balance__held"> ({formatNumber(data.held)} held)</span>}
        </span>
      ) : (
        <span aria-hidden="true">— credits</span>
      )}
    </Link>
  );
}
