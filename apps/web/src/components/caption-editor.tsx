"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import type { CaptionSnapshot } from "@spellcast/core/captions/schema";

import { useTRPC } from "~/trpc/react";

import type { CaptionSetData } from "./caption-cache";
import { mergeCaption } from "./caption-cache";
import { CaptionVersions } from "./caption-versions";
import { toUserMessage } from "./error-message";

/** Inline edit of one caption, and its versions (revert writes the old text as a new version). */
export function CaptionEditor({ caption }: { caption: CaptionSnapshot }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [text, setText] = useState<string | null>(null);
  const [showVersions, setShowVersions] = useState(false);
  const applied = (next: CaptionSnapshot) => {
    queryClient.setQueryData<CaptionSetData>(trpc.captions.get.queryKey({ setId: caption.captionSetId }), (old) => (old ? mergeCaption(old, next, null) : old));
    setText(null);
  };
  const edit = useMutation(trpc.captions.edit.mutationOptions({ onSuccess: applied }));
  const revert = useMutation(trpc.captions.revert.mutationOptions({ onSuccess: applied }));
  if (caption.status !== "done") return null;
  const error = edit.error ?? revert.error;
  return (
    <div className="stack">
      {text === null ? (
        <div className="caption-actions">
          <button type="button" className="button button--ghost button--small" onClick={() => setText(caption.text ?? "")} data-testid="caption-edit">
            Edit
          </button>
          <button type="button" className="button button--ghost button--small" onClick={() => setShowVersions(!showVersions)}>
            {showVersions ? "Hide versions" : "Versions"}
          </button>
        </div>
      ) : (
        <form
          className="stack"
          onSubmit={(e) => {
            e.preventDefault();
            edit.mutate({ captionId: caption.id, text });
          }}
        >
          <label className="visually-hidden" htmlFor={`caption-${caption.id}`}>
            Caption for {caption.fileName}
          </label>
          <textarea id={`caption-${caption.id}`} className="input" rows={3} value={text} onChange={(e) => setText(e.target.value)} data-testid="caption-edit-text" />
          <div className="caption-actions">
            <button type="submit" className="button button--primary button--small" disabled={edit.isPending} data-testid="caption-save">
              Save
            </button>
            <button type="button" className="button button--ghost button--small" onClick={() => setText(null)}>
              Cancel
            </button>
          </div>
        </form>
      )}
      {showVersions && <CaptionVersions caption={caption} onRevert={(version) => revert.mutate({ captionId: caption.id, version })} reverting={revert.isPending} />}
      {error && <p className="field__error">{toUserMessage(error)}</p>}
    </div>
  );
}
