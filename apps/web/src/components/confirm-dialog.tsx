"use client";

import type { ReactNode } from "react";
import { useEffect, useId, useRef } from "react";

import { FormAlert } from "./form-alert";

interface ConfirmDialogProps {
  open: boolean;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  /** The button that closes it with nothing done ("Cancel" unless that would read as the action). */
  dismissLabel?: string;
  pending: boolean;
  /** The confirm button's look: `danger` (the default) for what cannot be undone. */
  tone?: "danger" | "primary";
  error?: string | null;
  onConfirm: () => void;
  onCancel: () => void;
}

/** A modal <dialog>: focus is trapped, Escape cancels, the page behind is inert. */
export function ConfirmDialog({ open, title, children, confirmLabel, dismissLabel = "Cancel", pending, tone = "danger", error, onConfirm, onCancel }: ConfirmDialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);

  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby={titleId}
      onCancel={(event) => {
        event.preventDefault();
        if (!pending) onCancel();
      }}
    >
      <h2 className="card__title" id={titleId}>
        {title}
      </h2>
      <div className="muted">{children}</div>
      <FormAlert message={error} />
      <div className="dialog__actions">
        <button type="button" className="button" onClick={onCancel} disabled={pending} autoFocus>
          {dismissLabel}
        </button>
        <button type="button" className={`button button--${tone}`} onClick={onConfirm} disabled={pending} aria-busy={pending || undefined}>
          {pending && <span className="spinner" aria-hidden="true" />}
          {confirmLabel}
        </button>
      </div>
    </dialog>
  );
}
