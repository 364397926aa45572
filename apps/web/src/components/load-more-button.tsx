"use client";

/** The part of an infinite query a "Load more" button needs. */
export interface NextPages {
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  fetchNextPage: () => Promise<unknown>;
}

/** "Load more" under a keyset list: shown while a next page exists, busy while it loads. */
export function LoadMoreButton({ pages, label = "Load more" }: { pages: NextPages; label?: string }) {
  if (!pages.hasNextPage) return null;
  return (
    <div className="load-more">
      <button
        type="button"
        className="button"
        onClick={() => void pages.fetchNextPage()}
        disabled={pages.isFetchingNextPage}
        aria-busy={pages.isFetchingNextPage || undefined}
      >
        {pages.isFetchingNextPage && <span className="spinner" aria-hidden="true" />}
        {label}
      </button>
    </div>
  );
}
