import type { SessionSnapshot, SessionStatus } from "@spellcast/core/sessions/schema";
import { stripRequestIds } from "@spellcast/core/sessions/error-details";

import type { GenerationProgress } from "./generation-live-store";

const STATUS_LABEL: Record<SessionStatus, string> = {
  queued: "Queued",
  running: "Running",
  completed: "Completed",
  failed: "Failed",
  canceled: "Canceled",
};

const STATUS_BADGE: Record<SessionStatus, string> = {
  queued: "badge--neutral",
  running: "badge--info",
  completed: "badge--success",
  failed: "badge--danger",
  canceled: "badge--neutral",
};

export function StatusBadge({ status }: { status: SessionStatus }) {
  return (
    <span className={`badge ${STATUS_BADGE[status]}`} data-testid="generation-status">
      {STATUS_LABEL[status]}
    </span>
  );
}

/** The provider's reason as people should read it: without request ids. */
export function failureMessage(session: SessionSnapshot): string {
  const message = session.errorDetails?.providerMessage;
  return message ? stripRequestIds(message) || "The provider refused this request." : "This generation failed.";
}

/** What was given back for a failed or canceled session, or null while unknown / pending. */
export function refundOf(session: SessionSnapshot): { credits: number; at: string | null; error: string | null } | null {
  const details = session.errorDetails;
  if (details) return { credits: details.refundedCredits, at: details.refundedAt, error: details.refundError };
  // A cancel that released cleanly writes no error_details: the whole hold came back.
  if (session.status === "canceled") return { credits: session.cost, at: session.completedAt, error: null };
  return null;
}

/** A live bar while running; indeterminate until the worker reports a percentage. */
export function ProgressBar({ progress, label }: { progress: GenerationProgress | undefined; label: string }) {
  const percent = progress ? Math.round(progress.percent) : undefined;
  return (
    <div className="progress">
      <div
        className={`progress__track${percent === undefined ? " progress__track--indeterminate" : ""}`}
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
        data-testid="generation-progress"
      >
        <div className="progress__bar" style={percent === undefined ? undefined : { width: `${percent}%` }} />
      </div>
      <p className="progress__text muted">
        {percent === undefined ? "Generating…" : `${percent}%`}
        {progress?.stage ? ` · ${progress.stage}` : ""}
      </p>
    </div>
  );
}
