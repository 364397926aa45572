"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import type { CaptionSetSnapshot } from "@spellcast/core/captions/schema";

import { useTRPC } from "~/trpc/react";

import { toUserMessage } from "./error-message";
import { FormAlert } from "./form-alert";
import { formatCount } from "./format-count";

/** Bulk find-and-replace, a trigger word prefix, and the owner-only exports (zip of `.txt` sidecars, JSONL). */
export function CaptionTools({ set }: { set: CaptionSetSnapshot }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [find, setFind] = useState("");
  const [replace, setReplace] = useState("");
  const [word, setWord] = useState("");
  const [notice, setNotice] = useState<string | null>(null);
  // Nothing changed says why; a change says it can be undone, caption by caption, from Versions.
  const done = (unchanged: string) => ({ changed }: { changed: number }) => {
    setNotice(changed === 0 ? unchanged : `${formatCount(changed, "caption")} changed; each keeps its earlier text under Versions`);
    return queryClient.invalidateQueries({ queryKey: trpc.captions.get.queryKey({ setId: set.id }) });
  };
  const bulk = useMutation(
    trpc.captions.replace.mutationOptions({ onSuccess: (result, input) => done(`No caption contains “${input.find}”`)(result) }),
  );
  const prefix = useMutation(
    trpc.captions.prefix.mutationOptions({ onSuccess: (result, input) => done(`Every caption already starts with “${input.word.trim()}”`)(result) }),
  );
  if (set.done === 0) return null;
  const error = bulk.error ?? prefix.error;
  return (
    <section className="card" aria-labelledby="tools-title">
      <h2 className="card__title" id="tools-title">
        Edit all and export
      </h2>
      <div className="stack">
        <form className="caption-actions" onSubmit={(e) => (e.preventDefault(), bulk.mutate({ setId: set.id, find, replace }))}>
          <input className="input" aria-label="Find" placeholder="Find" value={find} onChange={(e) => setFind(e.target.value)} style={{ width: "12rem" }} />
          <input className="input" aria-label="Replace with" placeholder="Replace with" value={replace} onChange={(e) => setReplace(e.target.value)} style={{ width: "12rem" }} />
          <button type="submit" className="button" disabled={find === "" || bulk.isPending}>
            Replace in all
          </button>
        </form>
        <form className="caption-actions" onSubmit={(e) => (e.preventDefault(), prefix.mutate({ setId: set.id, word }))}>
          <input className="input" aria-label="Trigger word" placeholder="Trigger word" value={word} onChange={(e) => setWord(e.target.value)} style={{ width: "12rem" }} />
          <button type="submit" className="button" disabled={word.trim() === "" || prefix.isPending}>
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
        {error && <FormAlert message={toUserMessage(error)} />}
      </div>
    </section>
  );
}
