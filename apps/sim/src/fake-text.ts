import { hash } from "node:crypto";

const COLOURS = [
  "crimson", "amber", "ochre", "olive", "emerald", "teal", "cobalt", "indigo",
  "violet", "magenta", "coral", "slate", "ivory", "charcoal", "turquoise", "golden",
];
const SHAPES = ["rectangular", "layered", "geometric", "tiled", "banded", "angular", "grid-like", "stacked"];
const MOODS = ["calm", "vivid", "muted", "warm", "cool", "striking", "soft", "balanced"];

/** JoyCaption's stand-in: a stable caption per distinct image. */
export function captionForImage(image: Uint8Array): string {
  const h = hash("sha256", image, "buffer");
  const pick = <T>(list: readonly T[], i: number): T => list[(h[i] ?? 0) % list.length] as T;
  let second = pick(COLOURS, 1);
  if (second === pick(COLOURS, 0)) second = COLOURS[((h[1] ?? 0) + 1) % COLOURS.length] as string;
  return (
    `This image shows a ${pick(COLOURS, 0)} and ${second} abstract composition ` +
    `with ${pick(SHAPES, 2)} shapes and a ${pick(MOODS, 3)}, gradient-lit background.`
  );
}

/** ChatGPT's stand-in: a visible, predictable transformation of the input. */
export function rewriteText(text: string): string {
  return `Final caption: ${text.trim()}`.trim();
}

/** Rough count in the spirit of tokenizers (~4 characters a token), never 0. */
export function countTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}
