"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import type { CaptionSnapshot } from "@spellcast/core/captions/schema";

import { useTRPC, useTRPCClient } from "~/trpc/react";

import type { CaptionSetData } from "./caption-cache";
import { mergeCaption } from "./caption-cache";
import { toUserMessage } from "./error-message";

/** Inline edit of one caption, and its versions (revert writes the old text as a new version). */
export function CaptionEditor({ caption }: { caption: CaptionSnapshot }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [text, setText] = useState<string | null>(null);
  const [showVersions, setShowVersions] = useState(false);
  // Keyed by the caption's `updatedAt` too: any change (this editor, a bulk replace or prefix, another
  // tab) reaches the row as a new snapshot, and an open list of versions then reads the new one.
  const trpcClient = useTRPCClient();
  const versions = useQuery({
    queryKey: [...trpc.captions.versions.queryKey({ captionId: caption.id }), { at: caption.updatedAt }],
    queryFn: () => trpcClient.captions.versions.query({ captionId: caption.id }),
    enabled: showVersions,
  });
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
      {showVersions && versions.data && (
        <ol className="stack" aria-label="Versions">
          {versions.data.map((v) => (
            <li key={v.version} className="caption-version" data-testid="caption-version">
              <span className="muted">
                v{v.version}
                {v.editedBy ? " (edited)" : " (spell)"}
              </span>
              <span>{v.text}</span>
              {v.text !== caption.text && (
                <button type="button" className="button button--small" disabled={revert.isPending} onClick={() => revert.mutate({ captionId: caption.id, version: v.version })}>
                  Revert
                </button>
              )}
            </li>
          ))}
        </ol>
      )}
      {error && <p className="field__error">{toUserMessage(error)}</p>}
    </div>
  );
}
