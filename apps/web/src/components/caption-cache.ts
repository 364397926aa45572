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
 * Patches many captions in one pass over the set's rows (a run of 5,000 images lands hundreds a
 * second: one pass per caption would be quadratic). Rows nothing changed keep their identity, so
 * memoized rows skip rendering; an unchanged set returns `data` itself.
 */
export function mergeCaptions(data: CaptionSetData, incoming: readonly CaptionSnapshot[], set: CaptionSetSnapshot | null): CaptionSetData {
  const byId = new Map<string, CaptionSnapshot>();
  for (const caption of incoming) {
    const seen = byId.get(caption.id);
    byId.set(caption.id, seen ? newer(seen, caption) : caption);
  }
  let changed = false;
  const patched = data.captions.map((current) => {
    const next = byId.get(current.id);
    if (!next) return current;
    byId.delete(current.id);
    const merged = newer(current, next);
    if (merged !== current) changed = true;
    return merged;
  });
  const missing = [...byId.values()];
  const captions = missing.length > 0 ? [...patched, ...missing].sort((a, b) => a.imageIndex - b.imageIndex) : changed ? patched : data.captions;
  const nextSet = set ? newer(data.set, set) : data.set;
  return captions === data.captions && nextSet === data.set ? data : { set: nextSet, captions };
}

/**
 * Patches a dataset's list of runs with the sets that events brought (newest snapshot wins);
 * `unknown`: a set not in the list (a run started in another tab), so the list must be read again.
 */
export function mergeRuns(runs: readonly CaptionSetSnapshot[], sets: readonly CaptionSetSnapshot[]): { runs: readonly CaptionSetSnapshot[]; unknown: boolean } {
  const byId = new Map<string, CaptionSetSnapshot>();
  for (const set of sets) {
    const seen = byId.get(set.id);
    byId.set(set.id, seen ? newer(seen, set) : set);
  }
  let changed = false;
  const patched = runs.map((current) => {
    const next = byId.get(current.id);
    if (!next) return current;
    byId.delete(current.id);
    const merged = newer(current, next);
    if (merged !== current) changed = true;
    return merged;
  });
  return { runs: changed ? patched : runs, unknown: byId.size > 0 };
}
