import type { CaptionSetSnapshot, CaptionSnapshot } from "@spellcast/core/captions/schema";

export interface CaptionSetData {
  set: CaptionSetSnapshot;
  captions: CaptionSnapshot[];
}

/** Newer wins: an event that arrives after a fresher read never rolls the row back. */
export const newer = <T extends { updatedAt: string }>(current: T, next: T) => (next.updatedAt >= current.updatedAt ? next : current);

/** Patches one caption (inserted in image order if missing) and, when given, the set. */
export function mergeCaption(data: CaptionSetData, caption: CaptionSnapshot, set: CaptionSetSnapshot | null): CaptionSetData {
  const captions = data.captions.some((c) => c.id === caption.id)
    ? data.captions.map((c) => (c.id === caption.id ? newer(c, caption) : c))
    : [...data.captions, caption].sort((a, b) => a.imageIndex - b.imageIndex);
  return { set: set ? newer(data.set, set) : data.set, captions };
}
