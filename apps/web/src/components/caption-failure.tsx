import Link from "next/link";

import type { CaptionSnapshot } from "@spellcast/core/captions/schema";
import { stripRequestIds } from "@spellcast/core/sessions/error-details";

import { formatCredits } from "./format-credits";
import { toolLabel } from "./tool-label";

/**
 * Why a failed image has no caption and what it cost: the failing step and the provider's message
 * (no request ids), the failed step's refund, what the steps before it kept, and the cast's page.
 */
export function CaptionFailure({ caption }: { caption: CaptionSnapshot }) {
  const { failure } = caption;
  const refund = !failure ? null : failure.refundPending ? "refund pending" : `${formatCredits(failure.refundedCredits)} refunded`;
  const kept = caption.creditsCharged > 0 ? `${formatCredits(caption.creditsCharged)} kept for the steps that ran` : "nothing charged";
  const credits = [refund, kept].filter(Boolean).join("; ");
  return (
    <div className="caption-row__text caption-failure" data-testid="caption-failure">
      <p>
        {failure ? (
          <>
            <strong>
              Step {failure.step + 1}
              {failure.tool ? ` (${toolLabel(failure.tool)})` : ""} failed
            </strong>
            : {stripRequestIds(failure.message) || "The provider refused this request."}
          </>
        ) : (
          <strong>This image failed.</strong>
        )}
      </p>
      <p className="muted" data-testid="caption-failure-credits">
        {credits.charAt(0).toUpperCase() + credits.slice(1)}. {caption.imageId ? "Re-run failed to try again" : "Its image was removed from the dataset"}
        {caption.castId && (
          <>
            {" · "}
            <Link href={`/casts/${caption.castId}`}>Details</Link>
          </>
        )}
      </p>
    </div>
  );
}
