"use client";

import type { CaptionSetSnapshot } from "@spellcast/core/captions/schema";

/** Export links (owner-only HTTP routes): a zip of `.txt` sidecars and JSONL. */
export function CaptionTools({ set }: { set: CaptionSetSnapshot }) {
  if (set.done === 0) return null;
  return (
    <section className="card" aria-labelledby="export-title">
      <h2 className="card__title" id="export-title">
        Export
      </h2>
      <div className="caption-actions">
        <a className="button" href={`/api/caption-sets/${set.id}/export?format=zip`} data-testid="export-zip" download>
          Download .txt sidecars (zip)
        </a>
        <a className="button" href={`/api/caption-sets/${set.id}/export?format=jsonl`} data-testid="export-jsonl" download>
          Download JSONL
        </a>
      </div>
    </section>
  );
}
