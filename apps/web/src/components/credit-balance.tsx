import Link from "next/link";

import { CoinsIcon } from "./icons";

/**
 * The header's credit balance. A placeholder until the ledger exists; the credits issue wires it
 * to `credits.balance` (and what is held) without changing where it sits.
 */
export function CreditBalance() {
  return (
    <Link
      href="/credits"
      className="credit-balance"
      aria-label="Credit balance: not available yet"
      data-testid="credit-balance"
    >
      <CoinsIcon width={15} height={15} />
      <span>— credits</span>
    </Link>
  );
}
