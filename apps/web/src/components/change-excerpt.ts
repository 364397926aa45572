/** One side of a change: the unchanged text before it, what changed, the unchanged text after. */
export interface ExcerptSide {
  lead: string;
  changed: string;
  trail: string;
}

const ELLIPSIS = "…";

/**
 * Where `before` and `after` differ, with up to `context` characters of unchanged text each side
 * (cut with "…"), so a small edit in a long caption reads at a glance. The changed middle is kept
 * whole up to `maxChanged` characters, then cut in its middle. Counts code points, never splitting
 * an emoji.
 */
export function changeExcerpt(before: string, after: string, context = 40, maxChanged = 160): { before: ExcerptSide; after: ExcerptSide } {
  const a = Array.from(before);
  const b = Array.from(after);
  const shorter = Math.min(a.length, b.length);
  // The shared end first: a trigger word put in front of "sunny day" then reads as "sks, " added,
  // not as "ks, s" added after the "s" both texts start with.
  let end = 0;
  while (end < shorter && a[a.length - 1 - end] === b[b.length - 1 - end]) end++;
  let start = 0;
  while (start < shorter - end && a[start] === b[start]) start++;
  const lead = a.slice(0, start);
  const trail = a.slice(a.length - end);
  const side = (chars: string[]): ExcerptSide => ({
    lead: (lead.length > context ? [ELLIPSIS, ...lead.slice(-context)] : lead).join(""),
    changed: clipMiddle(chars.slice(start, chars.length - end), maxChanged),
    trail: (trail.length > context ? [...trail.slice(0, context), ELLIPSIS] : trail).join(""),
  });
  return { before: side(a), after: side(b) };
}

function clipMiddle(chars: string[], max: number): string {
  if (chars.length <= max) return chars.join("");
  const half = Math.floor(max / 2);
  return [...chars.slice(0, half), ` ${ELLIPSIS} `, ...chars.slice(-half)].join("");
}
