import type { SessionSnapshot } from "@spellcast/core/sessions/schema";
import { stripRequestIds } from "@spellcast/core/sessions/error-details";

import { joinClause } from "./failure-reason";

const TIME = new Intl.DateTimeFormat(undefined, { timeStyle: "medium" });

interface Step {
  key: string;
  at: string;
  label: string;
  tone?: "danger" | "success";
}

const FINISHED: Record<string, { label: string; tone?: Step["tone"] }> = {
  completed: { label: "Completed", tone: "success" },
  failed: { label: "Failed", tone: "danger" },
  canceled: { label: "Canceled" },
};

/** Created, started, each failed attempt (from the attempt log), finished. */
export function GenerationTimeline({ session }: { session: SessionSnapshot }) {
  const steps: Step[] = [{ key: "created", at: session.createdAt, label: "Created (credits held)" }];
  if (session.startedAt) steps.push({ key: "started", at: session.startedAt, label: "Started" });
  for (const entry of session.attemptLog) {
    const status = entry.providerStatus === null ? "" : ` (${entry.providerStatus})`;
    const retry = entry.retryInMs === null ? "" : `, retrying in ${Math.max(1, Math.round(entry.retryInMs / 1000))} s`;
    steps.push({
      key: `attempt-${entry.attempt}-${entry.at}`,
      at: entry.at,
      label: `Attempt ${entry.attempt} failed${status}: ${retry ? joinClause(stripRequestIds(entry.message), retry) : stripRequestIds(entry.message)}`,
      tone: "danger",
    });
  }
  const finished = FINISHED[session.status];
  if (finished && session.completedAt) {
    steps.push({ key: "finished", at: session.completedAt, label: finished.label, tone: finished.tone });
  }
  return (
    <ol className="timeline" data-testid="generation-timeline">
      {steps.map((step) => (
        <li key={step.key} className={`timeline__step${step.tone ? ` timeline__step--${step.tone}` : ""}`}>
          <time dateTime={step.at}>{TIME.format(new Date(step.at))}</time>
          <span>{step.label}</span>
        </li>
      ))}
    </ol>
  );
}
