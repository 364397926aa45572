"use client";

import type { SessionSnapshot } from "@spellcast/core/sessions/schema";

import { formatCredits } from "./format-credits";
import type { GenerationProgress } from "./generation-live-store";
import { failureMessage, ProgressBar, refundOf, StatusBadge } from "./generation-status";

const TIME = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

/** One generation in the history; a button that opens its details. */
export function GenerationCard({
  session,
  progress,
  onOpen,
}: {
  session: SessionSnapshot;
  progress: GenerationProgress | undefined;
  onOpen: (id: string) => void;
}) {
  const size = typeof session.params.size === "string" ? session.params.size.replace("x", " × ") : null;
  const refund = refundOf(session);
  return (
    <li className="generation-card-item">
      <button
        type="button"
        className={`generation-card generation-card--${session.status}`}
        data-testid="generation-card"
        data-status={session.status}
        data-session-id={session.id}
        aria-haspopup="dialog"
        onClick={() => onOpen(session.id)}
      >
        <div className="generation-card__media">
          {session.status === "completed" && session.outputs?.kind === "image" ? (
            <img src={`/api/images/${session.id}`} alt={session.prompt} loading="lazy" data-testid="generation-image" />
          ) : session.status === "running" ? (
            <ProgressBar progress={progress} label={`Progress of “${session.prompt.slice(0, 40)}”`} />
          ) : session.status === "queued" ? (
            <p className="muted">Waiting for a worker…</p>
          ) : session.status === "failed" ? (
            <div className="generation-card__error">
              <p data-testid="generation-error">{failureMessage(session)}</p>
              {refund && (
                <p className="generation-card__refund" data-testid="generation-refund">
                  {refund.error ? "Refund pending" : `${formatCredits(refund.credits)} refunded`}
                </p>
              )}
            </div>
          ) : (
            <div className="generation-card__error generation-card__error--neutral">
              <p>Canceled</p>
              {refund && (
                <p className="generation-card__refund" data-testid="generation-refund">
                  {refund.error ? "Refund pending" : `${formatCredits(refund.credits)} refunded`}
                </p>
              )}
            </div>
          )}
        </div>
        <div className="generation-card__body">
          <div className="generation-card__meta">
            <StatusBadge status={session.status} />
            <time dateTime={session.createdAt} className="muted">
              {TIME.format(new Date(session.createdAt))}
            </time>
          </div>
          <p className="generation-card__prompt" title={session.prompt}>
            {session.prompt}
          </p>
          <p className="generation-card__foot muted">
            {size}
            {size ? " · " : ""}
            {formatCredits(session.cost)}
          </p>
        </div>
      </button>
    </li>
  );
}
