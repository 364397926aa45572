"use client";

import { useMutation } from "@tanstack/react-query";
import { useEffect, useId, useRef } from "react";

import type { SessionSnapshot } from "@spellcast/core/sessions/schema";
import { isTerminalStatus } from "@spellcast/core/sessions/schema";

import { useTRPC } from "~/trpc/react";

import { toUserMessage } from "./error-message";
import { failureReasonLabel } from "./failure-reason";
import { FormAlert } from "./form-alert";
import { formatCredits } from "./format-credits";
import type { GenerationProgress } from "./generation-live-store";
import { GenerationRequestDetails } from "./generation-request-details";
import type { GenerationSettings } from "./generation-settings";
import { generationSettingsOf } from "./generation-settings";
import { failureMessage, ProgressBar, refundOf, StatusBadge } from "./generation-status";
import { GenerationTimeline } from "./generation-timeline";
import { useApplySession } from "./use-apply-session";

const TIME = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium" });
const at = (iso: string) => <time dateTime={iso}>{TIME.format(new Date(iso))}</time>;

/**
 * A generation's details in a modal <dialog> (focus trapped, Escape closes), live while open. A
 * completed image can be downloaded, and `onReuse` (when given) puts its settings back in the form.
 */
export function GenerationDetailsDialog({
  session,
  progress,
  onClose,
  onReuse,
}: {
  session: SessionSnapshot | null;
  progress: GenerationProgress | undefined;
  onClose: () => void;
  onReuse?: (settings: GenerationSettings) => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const trpc = useTRPC();
  const apply = useApplySession();
  const cancel = useMutation(trpc.generations.cancel.mutationOptions({ onSuccess: apply }));
  const open = session !== null;
  const { reset } = cancel;

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
    if (!open) reset();
  }, [open, reset]);

  const refund = session ? refundOf(session) : null;
  const details = session?.errorDetails ?? null;
  const settings = session ? generationSettingsOf(session) : null;
  const hasImage = session?.status === "completed" && session.outputs?.kind === "image";
  return (
    <dialog
      ref={ref}
      className="dialog generation-dialog"
      aria-labelledby={titleId}
      data-testid="generation-dialog"
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
      onClick={(event) => {
        // A click on the backdrop (the dialog element itself, outside its content) closes it.
        if (event.target === event.currentTarget) onClose();
      }}
    >
      {session && (
        <div className="generation-dialog__content">
          <div className="generation-dialog__head">
            <h2 className="card__title" id={titleId}>
              Generation details
            </h2>
            <StatusBadge status={session.status} />
          </div>
          <p className="generation-dialog__prompt">{session.prompt}</p>

          {hasImage && (
            <img className="generation-dialog__image" src={`/api/images/${session.id}`} alt={session.prompt} />
          )}
          {session.status === "running" && <ProgressBar progress={progress} label="Generation progress" />}
          {session.status === "failed" && (
            <div className="alert" data-testid="generation-dialog-error">
              <p>{failureMessage(session)}</p>
            </div>
          )}

          <dl className="details-list">
            {settings && <GenerationRequestDetails session={session} settings={settings} />}
            {details && (
              <>
                <dt>Provider status</dt>
                <dd data-testid="detail-provider-status">{details.providerStatus ?? "No answer"}</dd>
                <dt>Reason</dt>
                <dd data-testid="detail-reason">{failureReasonLabel(details.reason)}</dd>
                {details.requestId && (
                  <>
                    <dt>Request id (for support)</dt>
                    <dd className="mono">{details.requestId}</dd>
                  </>
                )}
              </>
            )}
            <dt>Created</dt>
            <dd>{at(session.createdAt)}</dd>
            <dt>Attempts</dt>
            <dd data-testid="detail-attempts">
              {session.attempts} / {session.maxAttempts}
            </dd>
            <dt>Cost</dt>
            <dd>{formatCredits(session.cost)}</dd>
            {refund && (
              <>
                <dt>Refund</dt>
                <dd data-testid="detail-refund">
                  {refund.error ? (
                    <>Pending: {refund.error}</>
                  ) : (
                    <>
                      {formatCredits(refund.credits)} refunded{refund.at ? <>, {at(refund.at)}</> : null}
                    </>
                  )}
                </dd>
              </>
            )}
          </dl>

          <h3 className="section-title">Timeline</h3>
          <GenerationTimeline session={session} />

          <FormAlert message={cancel.isError ? toUserMessage(cancel.error) : null} />
          <div className="dialog__actions">
            {!isTerminalStatus(session.status) && (
              <button
                type="button"
                className="button button--danger-outline"
                onClick={() => cancel.mutate({ id: session.id })}
                disabled={cancel.isPending}
                aria-busy={cancel.isPending || undefined}
              >
                {cancel.isPending && <span className="spinner" aria-hidden="true" />}
                Cancel generation
              </button>
            )}
            {hasImage && (
              // The server names the file (after the prompt) and sends it as an attachment.
              <a className="button" href={`/api/images/${session.id}?download=1`} download data-testid="generation-download">
                Download PNG
              </a>
            )}
            {onReuse && settings?.size && (
              <button
                type="button"
                className="button"
                onClick={() => {
                  // Closed first, so the focus it gives back lands before the form takes it.
                  ref.current?.close();
                  onReuse(settings);
                  onClose();
                }}
              >
                Use these settings
              </button>
            )}
            <button type="button" className="button" onClick={onClose} autoFocus>
              Close
            </button>
          </div>
        </div>
      )}
    </dialog>
  );
}
