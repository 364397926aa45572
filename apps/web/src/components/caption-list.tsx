"use client";

import { memo, useDeferredValue, useState } from "react";

import type { CaptionSnapshot } from "@spellcast/core/captions/schema";

import { CaptionEditor } from "./caption-editor";
import type { CaptionStatusFilter } from "./caption-filter";
import { captionStatusFilters, countByStatus, filterCaptions } from "./caption-filter";
import { CaptionRow } from "./caption-row";
import { formatCount } from "./format-count";

/** Rows rendered at first, and added by each "Show more": a run of 5,000 images stays quick to render and to patch. */
export const CAPTION_PAGE_SIZE = 100;

const filterLabel: Record<CaptionStatusFilter, string> = { all: "All", done: "Done", failed: "Failed", pending: "Pending" };

/** A set's captions: by status, searched by file name or text, a page at a time, each row editable. */
export function CaptionList({ captions, datasetId }: { captions: readonly CaptionSnapshot[]; datasetId: string }) {
  const [status, setStatus] = useState<CaptionStatusFilter>("all");
  const [search, setSearch] = useState("");
  const [shown, setShown] = useState(CAPTION_PAGE_SIZE);
  // Typing stays responsive while a long list filters behind it.
  const deferredSearch = useDeferredValue(search);
  const counts = countByStatus(captions);
  const matching = filterCaptions(captions, status, deferredSearch);
  const visible = matching.slice(0, shown);
  const choose = (next: CaptionStatusFilter) => {
    setStatus(next);
    setShown(CAPTION_PAGE_SIZE);
  };
  return (
    <>
      <div className="caption-filters">
        <div className="caption-actions" role="group" aria-label="Show captions">
          {captionStatusFilters.map((f) => (
            <button
              key={f}
              type="button"
              className={`button button--small${status === f ? " button--primary" : " button--ghost"}`}
              aria-pressed={status === f}
              onClick={() => choose(f)}
              data-testid={`caption-filter-${f}`}
            >
              {filterLabel[f]} {counts[f].toLocaleString("en")}
            </button>
          ))}
        </div>
        <input
          className="input caption-filters__search"
          type="search"
          aria-label="Search captions"
          placeholder="Search file names and captions"
          value={search}
          onChange={(e) => {
            setSearch(e.target.value);
            setShown(CAPTION_PAGE_SIZE);
          }}
        />
      </div>
      {matching.length === 0 ? (
        <p className="muted" data-testid="caption-list-empty">
          {search.trim() ? "No caption matches this search." : `No ${filterLabel[status].toLowerCase()} captions.`}
        </p>
      ) : (
        <ul className="caption-list">
          {visible.map((caption) => (
            <CaptionItem key={caption.id} caption={caption} datasetId={datasetId} />
          ))}
        </ul>
      )}
      {matching.length > visible.length && (
        <div className="load-more">
          <p className="muted" data-testid="caption-list-count">
            Showing {visible.length.toLocaleString("en")} of {formatCount(matching.length, "caption")}
          </p>
          <button type="button" className="button" onClick={() => setShown(shown + CAPTION_PAGE_SIZE)}>
            Show {Math.min(CAPTION_PAGE_SIZE, matching.length - visible.length).toLocaleString("en")} more
          </button>
        </div>
      )}
    </>
  );
}

/** One row; re-renders only when its own caption changes (the live merge keeps unchanged rows' identity). */
const CaptionItem = memo(function CaptionItem({ caption, datasetId }: { caption: CaptionSnapshot; datasetId: string }) {
  return (
    <CaptionRow caption={caption} datasetId={datasetId}>
      <CaptionEditor caption={caption} />
    </CaptionRow>
  );
});
