import type { CastStepStatus } from "./cast-steps";

const LABEL: Record<CastStepStatus, string> = {
  queued: "Queued",
  running: "Running",
  completed: "Completed",
  failed: "Failed",
  canceled: "Canceled",
  pending: "Not started",
  loading: "Loading…",
  skipped: "Skipped",
};

const BADGE: Record<CastStepStatus, string> = {
  queued: "badge--neutral",
  running: "badge--info",
  completed: "badge--success",
  failed: "badge--danger",
  canceled: "badge--neutral",
  pending: "badge--neutral",
  loading: "badge--neutral",
  skipped: "badge--neutral",
};

/** The status of a cast or of one of its steps; `data-status` carries the raw value for tests. */
export function CastStatusBadge({ status, testId }: { status: CastStepStatus; testId: string }) {
  return (
    <span className={`badge ${BADGE[status]}`} data-testid={testId} data-status={status}>
      {LABEL[status]}
    </span>
  );
}
