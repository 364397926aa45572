/** "1 image", "1,250 images": a count and its noun, plural by an "s". */
export function formatCount(n: number, noun: string): string {
  return `${n.toLocaleString("en")} ${noun}${n === 1 ? "" : "s"}`;
}
