import type { CastSnapshot } from "@spellcast/core/spells/schema";

import { CastStatusBadge } from "./cast-status-badge";
import type { CastStepRow } from "./cast-steps";
import { formatCredits } from "./format-credits";
import type { GenerationProgress } from "./generation-live-store";
import { failureMessage, ProgressBar, refundOf } from "./generation-status";
import { toolLabel } from "./tool-label";

/** What a step shows under its head: progress, its output as it lands, or how it ended. */
function StepBody({ row, cast, progress }: { row: CastStepRow; cast: CastSnapshot; progress: GenerationProgress | undefined }) {
  const { session } = row;
  if (row.failedUnstarted) {
    return <p className="cast-step__error">Not started: {cast.errorDetails?.providerMessage ?? "the cast failed here"}</p>;
  }
  if (!session) return null;
  if (session.status === "running") return <ProgressBar progress={progress} label={`Progress of step ${row.index + 1}`} />;
  if (session.status === "queued") return <p className="muted">Waiting for a worker…</p>;
  if (session.status === "completed") {
    if (session.outputs?.kind === "image") {
      return <img className="cast-output__image" src={`/api/images/${session.id}`} alt={`Output of step ${row.index + 1}`} data-testid="cast-step-image" />;
    }
    return (
      <p className="cast-step__output" data-testid="cast-step-output">
        {session.outputs?.text ?? ""}
      </p>
    );
  }
  const refund = refundOf(session);
  return (
    <>
      {session.status === "failed" && (
        <p className="cast-step__error" data-testid="cast-step-error">
          {failureMessage(session)}
        </p>
      )}
      {refund && (
        <p className="muted" data-testid="cast-step-refund">
          {refund.error ? `Refund pending: ${refund.error}` : `${formatCredits(refund.credits)} refunded`}
        </p>
      )}
    </>
  );
}

/** One step of a cast: number, tool, status, cost, then its body; the prompt it sent on demand. */
export function CastStepItem({ row, cast, progress }: { row: CastStepRow; cast: CastSnapshot; progress: GenerationProgress | undefined }) {
  const { session } = row;
  const retries = session ? session.attemptLog.length : 0;
  return (
    <li className="cast-step" data-testid="cast-step" data-status={row.status} data-tool={row.tool}>
      <div className="cast-step__head">
        <span className="cast-step__index" aria-hidden="true">
          {row.index + 1}
        </span>
        <span className="cast-step__tool">
          <span className="visually-hidden">Step {row.index + 1}: </span>
          {toolLabel(row.tool)}
        </span>
        <CastStatusBadge status={row.status} testId="cast-step-status" />
        {row.carried ? (
          <span className="muted" data-testid="cast-step-carried">
            Carried over from the failed cast
          </span>
        ) : (
          row.cost !== null && (
            <span className="muted" data-testid="cast-step-cost">
              {formatCredits(row.cost)}
            </span>
          )
        )}
        {retries > 0 && (
          <span className="muted">
            · attempt {session?.attempts} of {session?.maxAttempts}
          </span>
        )}
      </div>
      <StepBody row={row} cast={cast} progress={session ? progress : undefined} />
      {session && session.prompt && session.tool !== "rewrite" && (
        <details className="cast-step__prompt">
          <summary>Prompt sent</summary>
          <p>{session.prompt}</p>
        </details>
      )}
    </li>
  );
}
