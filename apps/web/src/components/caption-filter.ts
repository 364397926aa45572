import type { CaptionSnapshot } from "@spellcast/core/captions/schema";

export type CaptionStatusFilter = "all" | CaptionSnapshot["status"];

export const captionStatusFilters: readonly CaptionStatusFilter[] = ["all", "done", "failed", "pending"];

/** How many captions each filter shows. */
export function countByStatus(captions: readonly CaptionSnapshot[]): Record<CaptionStatusFilter, number> {
  const counts: Record<CaptionStatusFilter, number> = { all: captions.length, done: 0, failed: 0, pending: 0 };
  for (const c of captions) counts[c.status] += 1;
  return counts;
}

/** The captions of `status` whose file name or text contains `search` (any case; blank: all). */
export function filterCaptions(captions: readonly CaptionSnapshot[], status: CaptionStatusFilter, search: string): CaptionSnapshot[] {
  const needle = search.trim().toLocaleLowerCase();
  return captions.filter(
    (c) =>
      (status === "all" || c.status === status) &&
      (needle === "" || c.fileName.toLocaleLowerCase().includes(needle) || (c.text ?? "").toLocaleLowerCase().includes(needle)),
  );
}
