"use client";

import { useEffect, useId, useRef, useState } from "react";

import type { DeadLetterItem } from "./dead-letters-types";

interface DeadLetterDialogProps {
  item: DeadLetterItem | null;
  mode: "details" | "edit";
  pending: boolean;
  error: string | null;
  onClose: () => void;
  onEditReplay: (edit: { prompt: string; size: string; seed: number | undefined }) => void;
}

const SIZES = ["512x512", "768x768", "1024x1024", "1024x1536", "1536x1024"];

/** The full error_details of one dead letter, or the edit-and-replay form. */
export function DeadLetterDialog({ item, mode, pending, error, onClose, onEditReplay }: DeadLetterDialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (item && !dialog.open) dialog.showModal();
    if (!item && dialog.open) dialog.close();
  }, [item]);


  return (
    <dialog ref={ref} className="dialog generation-dialog" aria-labelledby={titleId} onCancel={(e) => (e.preventDefault(), pending || onClose())}>
      {item && (
        <>
          <h2 className="card__title" id={titleId}>
            {mode === "edit" ? "Edit and replay" : "Dead letter"} <span className="mono">{item.id}</span>
          </h2>
          {mode === "details" ? (
            <pre className="mono" data-testid="dead-letter-details" style={{ whiteSpace: "pre-wrap", maxHeight: "60vh", overflow: "auto" }}>
              {JSON.stringify({ user: item.userEmail, tool: item.tool, params: item.params, errorDetails: item.errorDetails, replays: item.replays }, null, 2)}
            </pre>
          ) : (
            <EditReplayForm key={item.id} item={item} idPrefix={titleId} pending={pending} error={error} onSubmit={onEditReplay} />
          )}
          <div className="dialog__actions">
            <button type="button" className="button" onClick={onClose} disabled={pending}>
              Close
            </button>
          </div>
        </>
      )}
    </dialog>
  );
}

function EditReplayForm({
  item,
  idPrefix: titleId,
  pending,
  error,
  onSubmit: onEditReplay,
}: {
  item: DeadLetterItem;
  idPrefix: string;
  pending: boolean;
  error: string | null;
  onSubmit: DeadLetterDialogProps["onEditReplay"];
}) {
  const [prompt, setPrompt] = useState(item.prompt);
  const [size, setSize] = useState(typeof item.params.size === "string" ? item.params.size : "1024x1024");
  const [seed, setSeed] = useState(typeof item.params.seed === "number" ? String(item.params.seed) : "");
  return (
    <form
      className="form"
      onSubmit={(e) => {
        e.preventDefault();
        onEditReplay({ prompt, size, seed: seed === "" ? undefined : Number(seed) });
      }}
    >
      <div className="field">
        <label className="field__label" htmlFor={`${titleId}-prompt`}>Prompt</label>
        <textarea id={`${titleId}-prompt`} className="input" value={prompt} onChange={(e) => setPrompt(e.target.value)} rows={3} />
      </div>
      <div className="field">
        <label className="field__label" htmlFor={`${titleId}-size`}>Size</label>
        <select id={`${titleId}-size`} className="input" value={size} onChange={(e) => setSize(e.target.value)}>
          {SIZES.map((s) => (
            <option key={s}>{s}</option>
          ))}
        </select>
      </div>
      <div className="field">
        <label className="field__label" htmlFor={`${titleId}-seed`}>Seed (optional)</label>
        <input id={`${titleId}-seed`} className="input" inputMode="numeric" value={seed} onChange={(e) => setSeed(e.target.value)} />
      </div>
      {error && <p className="alert" role="alert">{error}</p>}
      <button type="submit" className="button button--primary" disabled={pending}>
        Replay with these parameters
      </button>
    </form>
  );
}
