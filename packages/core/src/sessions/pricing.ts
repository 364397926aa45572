import type { ImageSize } from "./schema";

/** Credits per image by size: bigger images cost the provider more. */
const imageCost: Record<ImageSize, number> = {
  "512x512": 2,
  "768x768": 3,
  "1024x1024": 4,
  "1024x1536": 6,
  "1536x1024": 6,
};

export function generationCost(params: { size: ImageSize }): number {
  return imageCost[params.size];
}

export const imageCostTable = imageCost;
