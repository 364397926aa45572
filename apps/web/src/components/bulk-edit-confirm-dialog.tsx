"use client";

import type { BulkCaptionEdit, BulkCaptionEditPreview } from "@spellcast/core/captions/schema";

import { bulkEditWording } from "./bulk-edit-wording";
import type { ExcerptSide } from "./change-excerpt";
import { changeExcerpt } from "./change-excerpt";
import { ConfirmDialog } from "./confirm-dialog";
import { formatCount } from "./format-count";

/**
 * Asks before a bulk edit: how many finished captions it changes, and the first one or two as
 * they are and as they would be, the change marked. Nothing is written until it is confirmed.
 */
export function BulkEditConfirmDialog({
  pending,
  applying,
  error,
  onConfirm,
  onCancel,
}: {
  /** The edit waiting for an answer, with its preview; null: closed. */
  pending: { edit: BulkCaptionEdit; preview: BulkCaptionEditPreview } | null;
  applying: boolean;
  error: string | null;
  onConfirm: (edit: BulkCaptionEdit) => void;
  onCancel: () => void;
}) {
  const wording = pending ? bulkEditWording(pending.edit) : null;
  const changed = pending?.preview.changed ?? 0;
  return (
    <ConfirmDialog
      open={pending !== null}
      title={wording?.title(changed) ?? ""}
      confirmLabel={wording?.confirm(changed) ?? ""}
      pending={applying}
      error={error}
      onConfirm={() => pending && onConfirm(pending.edit)}
      onCancel={onCancel}
    >
      {pending && (
        <div className="stack" data-testid="bulk-edit-preview">
          <p data-testid="bulk-edit-count">
            {formatCount(changed, "caption")} of {formatCount(pending.preview.finished, "finished caption")} will change. Each keeps its earlier
            text under Versions.
          </p>
          <ul className="bulk-edit-examples">
            {pending.preview.examples.map((example) => {
              const excerpt = changeExcerpt(example.before, example.after);
              return (
                <li key={example.captionId} className="bulk-edit-example" data-testid="bulk-edit-example">
                  <p className="bulk-edit-example__file">{example.fileName}</p>
                  <ExcerptLine label="Before" side={excerpt.before} testId="bulk-edit-before" Mark="del" />
                  <ExcerptLine label="After" side={excerpt.after} testId="bulk-edit-after" Mark="ins" />
                </li>
              );
            })}
          </ul>
          {changed > pending.preview.examples.length && <p>…and {formatCount(changed - pending.preview.examples.length, "more caption")}.</p>}
        </div>
      )}
    </ConfirmDialog>
  );
}

/** One side of an example, its changed part marked as removed (`del`) or added (`ins`). */
function ExcerptLine({ label, side, testId, Mark }: { label: string; side: ExcerptSide; testId: string; Mark: "del" | "ins" }) {
  return (
    <p>
      {label}:{" "}
      <span className="bulk-edit-example__text" data-testid={testId}>
        {side.lead}
        {side.changed && <Mark>{side.changed}</Mark>}
        {side.trail}
      </span>
    </p>
  );
}
