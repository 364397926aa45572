"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import type { BulkCaptionEdit, BulkCaptionEditPreview, CaptionSetSnapshot } from "@spellcast/core/captions/schema";

import { useTRPC, useTRPCClient } from "~/trpc/react";

import { BulkEditConfirmDialog } from "./bulk-edit-confirm-dialog";
import { bulkEditWording } from "./bulk-edit-wording";
import { toUserMessage } from "./error-message";
import { FormAlert } from "./form-alert";
import { formatCount } from "./format-count";

/**
 * Bulk find-and-replace and a trigger word prefix, each applied only once its preview (how many
 * captions change, and how) is confirmed; and the owner-only exports (zip of `.txt` sidecars, JSONL).
 */
export function CaptionTools({ set }: { set: CaptionSetSnapshot }) {
  const trpc = useTRPC();
  const trpcClient = useTRPCClient();
  const queryClient = useQueryClient();
  const [find, setFind] = useState("");
  const [replace, setReplace] = useState("");
  const [word, setWord] = useState("");
  const [notice, setNotice] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<{ edit: BulkCaptionEdit; preview: BulkCaptionEditPreview } | null>(null);

  // A read, but asked for on each submit and never cached: the captions as they are now are what
  // the person confirms. An edit that changes nothing needs no confirmation: the page says why.
  const preview = useMutation({
    mutationFn: (edit: BulkCaptionEdit) => trpcClient.captions.previewEdit.query({ setId: set.id, edit }),
    onSuccess: (result, edit) => {
      setNotice(result.changed === 0 ? bulkEditWording(edit).unchanged : null);
      if (result.changed > 0) setConfirming({ edit, preview: result });
    },
  });
  // A change says it can be undone, caption by caption, from Versions.
  const apply = useMutation({
    mutationFn: (edit: BulkCaptionEdit) =>
      edit.kind === "replace"
        ? trpcClient.captions.replace.mutate({ setId: set.id, find: edit.find, replace: edit.replace })
        : trpcClient.captions.prefix.mutate({ setId: set.id, word: edit.word }),
    onSuccess: ({ changed }, edit) => {
      setConfirming(null);
      setNotice(changed === 0 ? bulkEditWording(edit).unchanged : `${formatCount(changed, "caption")} changed; each keeps its earlier text under Versions`);
      return queryClient.invalidateQueries({ queryKey: trpc.captions.get.queryKey({ setId: set.id }) });
    },
  });
  if (set.done === 0) return null;
  const busy = preview.isPending || apply.isPending;
  return (
    <section className="card" aria-labelledby="tools-title">
      <h2 className="card__title" id="tools-title">
        Edit all and export
      </h2>
      <div className="stack">
        <form className="caption-actions" onSubmit={(e) => (e.preventDefault(), preview.mutate({ kind: "replace", find, replace }))}>
          <input className="input" aria-label="Find" placeholder="Find" value={find} onChange={(e) => setFind(e.target.value)} style={{ width: "12rem" }} />
          <input className="input" aria-label="Replace with" placeholder="Replace with" value={replace} onChange={(e) => setReplace(e.target.value)} style={{ width: "12rem" }} />
          <button type="submit" className="button" disabled={find === "" || busy}>
            Replace in all
          </button>
        </form>
        <form className="caption-actions" onSubmit={(e) => (e.preventDefault(), preview.mutate({ kind: "prefix", word }))}>
          <input className="input" aria-label="Trigger word" placeholder="Trigger word" value={word} onChange={(e) => setWord(e.target.value)} style={{ width: "12rem" }} />
          <button type="submit" className="button" disabled={word.trim() === "" || busy}>
            Prefix all
          </button>
        </form>
        <div className="caption-actions">
          <a className="button" href={`/api/caption-sets/${set.id}/export?format=zip`} data-testid="export-zip" download>
            Download .txt sidecars (zip)
          </a>
          <a className="button" href={`/api/caption-sets/${set.id}/export?format=jsonl`} data-testid="export-jsonl" download>
            Download JSONL
          </a>
        </div>
        {notice && (
          <p className="muted" role="status" data-testid="caption-tools-notice">
            {notice}
          </p>
        )}
        {preview.error && <FormAlert message={toUserMessage(preview.error)} />}
      </div>
      <BulkEditConfirmDialog
        pending={confirming}
        applying={apply.isPending}
        error={apply.error ? toUserMessage(apply.error) : null}
        onConfirm={(edit) => apply.mutate(edit)}
        onCancel={() => {
          setConfirming(null);
          apply.reset();
        }}
      />
    </section>
  );
}
