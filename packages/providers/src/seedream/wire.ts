import { z } from "zod";

/** Ark's OpenAI-images style endpoint, relative to the provider's base URL. */
export const SEEDREAM_IMAGES_PATH = "/api/v3/images/generations";

export const seedreamSizeSchema = z.string().regex(/^\d{2,5}x\d{2,5}$/, 'size must look like "1024x1024"');

export const seedreamImageRequestSchema = z.object({
  model: z.string().min(1),
  prompt: z.string().min(1).max(4000),
  size: seedreamSizeSchema,
  // Ark uses -1 for "random"; anything else makes the image reproducible.
  seed: z.int().min(-1).max(2_147_483_647).optional(),
  response_format: z.enum(["url", "b64_json"]).default("url"),
  watermark: z.boolean().optional(),
});
export type SeedreamImageRequest = z.input<typeof seedreamImageRequestSchema>;

export const seedreamImageDataSchema = z.object({
  url: z.string().optional(),
  b64_json: z.string().optional(),
  size: z.string().optional(),
});

export const seedreamImageResponseSchema = z.object({
  model: z.string().optional(),
  created: z.number(),
  data: z.array(seedreamImageDataSchema).min(1),
  usage: z
    .object({ generated_images: z.number().optional(), output_tokens: z.number().optional() })
    .optional(),
});
export type SeedreamImageResponse = z.infer<typeof seedreamImageResponseSchema>;

export function parseSeedreamSize(size: string): { width: number; height: number } {
  const [width, height] = size.split("x").map(Number);
  return { width: width ?? 0, height: height ?? 0 };
}
