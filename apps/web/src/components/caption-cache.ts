import type { CaptionSetSnapshot, CaptionSnapshot } from "@spellcast/core/captions/schema";

export interface CaptionSetData {
  set: CaptionSetSnapshot;
  captions: CaptionSnapshot[];
}

/** Newer wins: an event that arrives after a fresher read never rolls the row back. */
export const newer = <T extends { updatedAt: string }>(current: T, next: T) => (next.updatedAt >= current.updatedAt ? next : current);

/** Patches one caption (inserted in image order if missing) and, when given, the set. */
export function mergeCaption(data: CaptionSetData, caption: CaptionSnapshot, set: CaptionSetSnapshot | null): CaptionSetData {
  return mergeCaptions(data, [caption], set);
}

/**
 * The rows `incoming` changes, patched in one pass (a run of 5,000 images lands hundreds of
 * captions a second: one pass per caption would be quadratic), the newest snapshot of each row
 * winning; rows nothing changed keep their identity, and an unchanged list is `rows` itself.
 * `missing`: the incoming rows `rows` does not hold.
 */
function patchNewest<T extends { id: string; updatedAt: string }>(rows: T[], incoming: readonly T[]): { rows: T[]; missing: T[] } {
  const byId = new Map<string, T>();
  for (const row of incoming) {
    const seen = byId.get(row.id);
    byId.set(row.id, seen ? newer(seen, row) : row);
  }
  let changed = false;
  const patched = rows.map((current) => {
    const next = byId.get(current.id);
    if (!next) return current;
    byId.delete(current.id);
    const merged = newer(current, next);
    if (merged !== current) changed = true;
    return merged;
  });
  return { rows: changed ? patched : rows, missing: [...byId.values()] };
}

/**
 * Patches many captions in one pass over the set's rows, missing ones inserted in image order.
 * Memoized rows nothing changed skip rendering; an unchanged set returns `data` itself.
 */
export function mergeCaptions(data: CaptionSetData, incoming: readonly CaptionSnapshot[], set: CaptionSetSnapshot | null): CaptionSetData {
  const { rows, missing } = patchNewest(data.captions, incoming);
  const captions = missing.length > 0 ? [...rows, ...missing].sort((a, b) => a.imageIndex - b.imageIndex) : rows;
  const nextSet = set ? newer(data.set, set) : data.set;
  return captions === data.captions && nextSet === data.set ? data : { set: nextSet, captions };
}

/**
 * Patches a dataset's list of runs with the sets that events brought (newest snapshot wins);
 * `unknown`: a set not in the list (a run started in another tab), so the list must be read again.
 */
export function mergeRuns(runs: CaptionSetSnapshot[], sets: readonly CaptionSetSnapshot[]): { runs: CaptionSetSnapshot[]; unknown: boolean } {
  const { rows, missing } = patchNewest(runs, sets);
  return { runs: rows, unknown: missing.length > 0 };
}
