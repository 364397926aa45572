import type { LedgerSubject } from "@spellcast/core/credits/ledger-subjects";

import { CreditSubject } from "./credit-subject";
import { DateTime } from "./date-time";
import { formatNumber, formatSigned } from "./format-credits";

export interface LedgerRowData {
  id: number;
  kind: "grant" | "reserve" | "capture" | "release" | "adjust";
  amount: number;
  heldDelta: number;
  balanceAfter: number;
  reason: string | null;
  subjectType: string;
  subjectId: string;
  subject: LedgerSubject | null;
  createdAt: Date;
}

const KIND_LABELS: Record<LedgerRowData["kind"], string> = {
  grant: "Grant",
  reserve: "Hold",
  capture: "Charge",
  release: "Release",
  adjust: "Adjustment",
};

/** One ledger entry: when, what kind, the change to balance and held, what for, balance after. */
export function LedgerRow({ entry }: { entry: LedgerRowData }) {
  const direction = entry.amount > 0 ? "credit" : entry.amount < 0 ? "debit" : "none";
  return (
    <tr data-testid="ledger-row" data-kind={entry.kind}>
      <td>
        <DateTime value={entry.createdAt} />
      </td>
      <td>
        <span className={`badge badge--kind-${entry.kind}`}>{KIND_LABELS[entry.kind]}</span>
      </td>
      <td className={`ledger-amount ledger-amount--${direction}`}>{formatSigned(entry.amount)}</td>
      <td className="muted">{entry.heldDelta === 0 ? "—" : formatSigned(entry.heldDelta)}</td>
      <td className="ledger-for">
        {entry.reason && <span className="ledger-for__reason">{entry.reason}</span>}
        <CreditSubject type={entry.subjectType} id={entry.subjectId} subject={entry.subject} />
      </td>
      <td>{formatNumber(entry.balanceAfter)}</td>
    </tr>
  );
}
