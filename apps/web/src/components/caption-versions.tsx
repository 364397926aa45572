"use client";

import { useQuery } from "@tanstack/react-query";

import type { CaptionSnapshot } from "@spellcast/core/captions/schema";

import { useTRPC, useTRPCClient } from "~/trpc/react";

import { toUserMessage } from "./error-message";

/**
 * A caption's versions, read when the list is opened (a set's thousands of closed rows hold no
 * query). Keyed by the caption's `updatedAt` too: any change (an edit, a bulk replace or prefix,
 * another tab) reaches the row as a new snapshot, and the open list then reads the new one.
 */
export function CaptionVersions({ caption, onRevert, reverting }: { caption: CaptionSnapshot; onRevert: (version: number) => void; reverting: boolean }) {
  const trpc = useTRPC();
  const trpcClient = useTRPCClient();
  const versions = useQuery({
    queryKey: [...trpc.captions.versions.queryKey({ captionId: caption.id }), { at: caption.updatedAt }],
    queryFn: () => trpcClient.captions.versions.query({ captionId: caption.id }),
  });
  if (versions.error) return <p className="field__error">{toUserMessage(versions.error)}</p>;
  if (!versions.data) return <div className="skeleton-line" aria-busy="true" />;
  return (
    <ol className="stack" aria-label="Versions">
      {versions.data.map((v) => (
        <li key={v.version} className="caption-version" data-testid="caption-version">
          <span className="muted">
            v{v.version}
            {v.editedBy ? " (edited)" : " (spell)"}
          </span>
          <span>{v.text}</span>
          {v.text !== caption.text && (
            <button type="button" className="button button--small" disabled={reverting} onClick={() => onRevert(v.version)}>
              Revert
            </button>
          )}
        </li>
      ))}
    </ol>
  );
}
