import type { CreditRequestStatus } from "@spellcast/core/credits/credit-request-schema";

const LOOKS: Record<CreditRequestStatus, { label: string; badge: string }> = {
  open: { label: "Waiting for an admin", badge: "badge--info" },
  granted: { label: "Granted", badge: "badge--success" },
  declined: { label: "Declined", badge: "badge--danger" },
  withdrawn: { label: "Withdrawn", badge: "badge--neutral" },
};

/** A credit request's status as a badge. */
export function CreditRequestStatusBadge({ status }: { status: CreditRequestStatus }) {
  const look = LOOKS[status];
  return (
    <span className={`badge ${look.badge}`} data-testid="credit-request-status">
      {look.label}
    </span>
  );
}
