import { generationCost } from "../sessions/pricing";
import { generationParamsSchema, imageSizeSchema } from "../sessions/schema";

const sizeOf = generationParamsSchema.shape.size.pipe(imageSizeSchema).catch("1024x1024");

/**
 * What replaying a dead letter with its own parameters holds on the user's account: today's price
 * of its size, as createGenerationSession charges it (a missing size is the submit default).
 */
export function replayCost(params: Record<string, unknown>): number {
  return generationCost({ size: sizeOf.parse(params.size) });
}
