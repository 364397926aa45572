import type { ImageSize, SessionSnapshot } from "@spellcast/core/sessions/schema";
import { generationParamsSchema, imageSizeSchema } from "@spellcast/core/sessions/schema";

/** What a generation was asked for, as the Generate form holds it. */
export interface GenerationSettings {
  prompt: string;
  /** Null when the stored size is missing or not one Generate offers. */
  size: ImageSize | null;
  /** Null when none was recorded (generations made before the server drew a seed for every request). */
  seed: number | null;
}

/** A session's settings, read from its stored params through the generation schema's own rules. */
export function generationSettingsOf(session: Pick<SessionSnapshot, "prompt" | "params">): GenerationSettings {
  const size = imageSizeSchema.safeParse(session.params.size);
  const seed = generationParamsSchema.shape.seed.safeParse(session.params.seed);
  return { prompt: session.prompt, size: size.success ? size.data : null, seed: seed.success ? (seed.data ?? null) : null };
}
