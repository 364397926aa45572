import { formatCount } from "./format-count";
import { formatCredits } from "./format-credits";

export interface RunShortfall {
  text: string;
  /** What stops the run: the budget (raise it) or the user's credits (request more). */
  cause: "budget" | "credits";
}

/**
 * What a caption run will do with the credits there are, said before it starts: how many of the
 * images the budget or the available credits pay for (whole images, as the run casts them), and
 * what happens after. Null when everything is paid for.
 */
export function runShortfall(params: { images: number; perImage: number; available: number | null; budget: number | null }): RunShortfall | null {
  const { images, perImage, available, budget } = params;
  if (perImage <= 0 || images === 0) return null;
  const total = images * perImage;
  const covered = (credits: number) => Math.min(images, Math.floor(credits / perImage));
  if (budget !== null && budget < total && (available === null || budget <= available)) {
    const n = covered(budget);
    const text =
      n === 0
        ? `A budget of ${formatCredits(budget)} does not cover one image (${formatCredits(perImage)} each): the run would pause at once.`
        : `A budget of ${formatCredits(budget)} covers ${n} of ${formatCount(images, "image")}; the run then pauses until you raise it.`;
    return { text, cause: "budget" };
  }
  if (available !== null && available < total) {
    const n = covered(available);
    const text =
      n === 0
        ? `You have ${formatCredits(available)} available, not enough for one image (${formatCredits(perImage)} each).`
        : `You have ${formatCredits(available)} available: enough for ${n} of ${formatCount(images, "image")}. The run pauses when they run out; resume it once you have more.`;
    return { text, cause: "credits" };
  }
  return null;
}
