import { stripRequestIds } from "@spellcast/core/sessions/error-details";
import type { CastSnapshot } from "@spellcast/core/spells/schema";

import { failureReasonLabel } from "./failure-reason";
import { formatCredits } from "./format-credits";
import { toolLabel } from "./tool-label";

const TIME = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium" });

/** Why a failed cast stopped: the failing step, the provider's message (no request ids), the refund. */
export function CastFailure({ cast, tool }: { cast: CastSnapshot; tool: string | null }) {
  const details = cast.errorDetails;
  const step = details?.failedStep;
  const message = details ? stripRequestIds(details.providerMessage) || "The provider refused this request." : "This cast failed.";
  return (
    <div className="alert alert--block" role="alert" data-testid="cast-failure">
      <p>
        <strong data-testid="cast-failed-step">
          {step === undefined ? "The cast failed" : `Step ${step + 1}${tool ? ` (${toolLabel(tool)})` : ""} failed`}
        </strong>
        : <span data-testid="cast-failure-message">{message}</span>
      </p>
      {details && (
        <dl className="details-list">
          <dt>Provider status</dt>
          <dd>{details.providerStatus ?? "No answer"}</dd>
          <dt>Reason</dt>
          <dd>{failureReasonLabel(details.reason)}</dd>
          <dt>Attempts</dt>
          <dd data-testid="cast-attempts">
            {details.attempts} / {details.maxAttempts}
            {/* A refusal is final: fewer attempts than allowed is not a retry still to come. */}
            {details.fatal && details.attempts < details.maxAttempts && <span className="muted"> · not retried: a refusal is final</span>}
          </dd>
          <dt>Refund</dt>
          <dd data-testid="cast-refund">
            {details.refundError ? (
              <>Pending: {details.refundError}</>
            ) : details.reservationAmount === 0 ? (
              "Nothing was held for this step"
            ) : (
              <>
                {formatCredits(details.refundedCredits)} refunded
                {details.refundedAt ? <>, <time dateTime={details.refundedAt}>{TIME.format(new Date(details.refundedAt))}</time></> : null}
              </>
            )}
          </dd>
        </dl>
      )}
      <p className="muted">Steps that completed before it stay charged.</p>
    </div>
  );
}
