import { z } from "zod";

import type { ImageSize } from "../sessions/schema";
import { generationParamsSchema, imageSizeSchema, MAX_PROMPT_LENGTH } from "../sessions/schema";
import type { SpellStep, ToolName } from "./schema";

const promptTemplateSchema = z.string().max(MAX_PROMPT_LENGTH);

/**
 * What each tool's step takes, checked when a spell is saved. A Seedream step takes what a single
 * generation takes (same sizes, same default, same seed range), so a cast draws what Generate draws.
 */
export const toolParamsSchemas = {
  joycaption: z.object({ prompt: promptTemplateSchema.optional() }).strict(),
  rewrite: z.object({}).strict(),
  chatgpt: z.object({ prompt: promptTemplateSchema.optional() }).strict(),
  seedream: generationParamsSchema,
} satisfies Record<ToolName, z.ZodObject>;

/** The size a Seedream step gets when none is given: the Generate page's default. */
export const DEFAULT_IMAGE_SIZE: ImageSize = generationParamsSchema.shape.size.parse(undefined);

export const IMAGE_SIZES: readonly ImageSize[] = imageSizeSchema.options;

type StepParams = SpellStep["params"];

/**
 * The params kept when a step's tool changes in the editor: only the keys the new tool takes (a
 * prompt survives chatgpt ↔ joycaption), with its defaults filled (a Seedream step gets a size).
 */
export function paramsForTool(tool: ToolName, params: StepParams): StepParams {
  const keys = Object.keys(toolParamsSchemas[tool].shape);
  const kept = Object.fromEntries(Object.entries(params).filter(([key]) => keys.includes(key)));
  const parsed = toolParamsSchemas[tool].safeParse(kept);
  return parsed.success ? parsed.data : kept;
}

/**
 * A stored step as a cast runs it. Seedream steps saved before their params were checked have no
 * size (or a bad one): they were priced at the default size, so they are drawn at it too.
 */
export function withStoredDefaults(step: SpellStep): SpellStep {
  if (step.tool !== "seedream" || imageSizeSchema.safeParse(step.params.size).success) return step;
  return { tool: step.tool, params: { ...step.params, size: DEFAULT_IMAGE_SIZE } };
}
