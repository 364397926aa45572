"use client";

import { useEffect, useId, useRef, useState } from "react";

import { imageCostTable } from "@spellcast/core/sessions/pricing";
import { generationParamsSchema, imageSizeSchema } from "@spellcast/core/sessions/schema";

import { CopyButton } from "./copy-button";
import { truncate } from "./dead-letter-row";
import type { DeadLetterItem } from "./dead-letters-types";
import { FormAlert } from "./form-alert";
import { formatCredits } from "./format-credits";
import { imageSizeLabel } from "./image-size-label";
import { toolLabel } from "./tool-label";

export interface DeadLetterEdit {
  prompt: string;
  size: (typeof imageSizeSchema.options)[number];
  seed: number | undefined;
}

interface DeadLetterDialogProps {
  item: DeadLetterItem | null;
  mode: "details" | "edit";
  pending: boolean;
  error: string | null;
  onClose: () => void;
  onEditReplay: (edit: DeadLetterEdit) => void;
}

/** The full error_details of one dead letter, or the edit-and-replay form; titled by prompt and user. */
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
            {mode === "edit" ? "Edit and replay" : "Failed"}: “{truncate(item.prompt, 80)}”
          </h2>
          <p className="muted">
            {mode === "edit" ? "For" : "By"} {item.userEmail} · {toolLabel(item.tool)}
          </p>
          {/* The id stays at hand for logs and Bull Board, without heading the dialog. */}
          <p className="muted" style={{ fontSize: "0.8rem" }}>
            Dead letter <span className="mono">{item.id}</span> <CopyButton text={item.id} label="Copy id" />
          </p>
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

const seedSchema = generationParamsSchema.shape.seed;

function EditReplayForm({
  item,
  idPrefix,
  pending,
  error,
  onSubmit,
}: {
  item: DeadLetterItem;
  idPrefix: string;
  pending: boolean;
  error: string | null;
  onSubmit: DeadLetterDialogProps["onEditReplay"];
}) {
  const [prompt, setPrompt] = useState(item.prompt);
  const [size, setSize] = useState(imageSizeSchema.catch("1024x1024").parse(item.params.size));
  const [seed, setSeed] = useState(typeof item.params.seed === "number" ? String(item.params.seed) : "");
  const [seedError, setSeedError] = useState<string | null>(null);
  const cost = imageCostTable[size];
  return (
    <form
      className="form"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        const parsedSeed = seed.trim() === "" ? undefined : seedSchema.safeParse(Number(seed));
        if (parsedSeed && !parsedSeed.success) return setSeedError("A seed is a whole number from 0 to 2147483647, or empty");
        setSeedError(null);
        onSubmit({ prompt, size, seed: parsedSeed?.data });
      }}
    >
      <div className="field">
        <label className="field__label" htmlFor={`${idPrefix}-prompt`}>Prompt</label>
        <textarea id={`${idPrefix}-prompt`} className="input" value={prompt} onChange={(e) => setPrompt(e.target.value)} rows={3} />
      </div>
      <div className="field">
        <label className="field__label" htmlFor={`${idPrefix}-size`}>Size</label>
        <select id={`${idPrefix}-size`} className="input" value={size} onChange={(e) => setSize(imageSizeSchema.parse(e.target.value))}>
          {imageSizeSchema.options.map((s) => (
            <option key={s} value={s}>
              {imageSizeLabel(s)} · {formatCredits(imageCostTable[s])}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label className="field__label" htmlFor={`${idPrefix}-seed`}>Seed (optional)</label>
        <input
          id={`${idPrefix}-seed`}
          className="input"
          inputMode="numeric"
          value={seed}
          aria-invalid={seedError ? true : undefined}
          aria-describedby={seedError ? `${idPrefix}-seed-error` : undefined}
          onChange={(e) => setSeed(e.target.value)}
        />
        {seedError && (
          <p className="field__error" id={`${idPrefix}-seed-error`}>
            {seedError}
          </p>
        )}
      </div>
      <p className="muted">A new generation, charged to {item.userEmail}: {formatCredits(cost)} held on their account.</p>
      <FormAlert message={error} />
      <button type="submit" className="button button--primary" disabled={pending}>
        Replay for {formatCredits(cost)}
      </button>
    </form>
  );
}
