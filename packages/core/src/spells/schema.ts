import { z } from "zod";

import { errorDetailsSchema } from "../sessions/error-details";
import { sessionOutputsSchema } from "../sessions/schema";

export const toolNameSchema = z.enum(["joycaption", "rewrite", "chatgpt", "seedream"]);
export type ToolName = z.infer<typeof toolNameSchema>;

export const dataKindSchema = z.enum(["image", "text"]);
export type DataKind = z.infer<typeof dataKindSchema>;

/** A step's parameter template; `{{input}}` in a prompt stands for the previous step's output. */
export const stepParamsSchema = z.record(z.string(), z.union([z.string().max(4000), z.number(), z.boolean()]));

export const spellStepSchema = z.object({ tool: toolNameSchema, params: stepParamsSchema.default({}) }).strict();
export type SpellStep = z.infer<typeof spellStepSchema>;

export const BUILT_IN_CAPTION_SPELL_ID = "00000000-0000-4000-8000-00000000ca01";

export const spellSnapshotSchema = z.object({
  id: z.string().uuid(),
  name: z.string(),
  steps: z.array(spellStepSchema),
  builtIn: z.boolean(),
  /** Credits one cast costs (sum of step costs). */
  cost: z.number().int(),
  input: dataKindSchema,
  output: dataKindSchema,
  createdAt: z.string(),
  updatedAt: z.string(),
  /** Set once its owner deleted it (listed only to name the runs made with it). */
  deletedAt: z.string().nullable(),
});
export type SpellSnapshot = z.infer<typeof spellSnapshotSchema>;

/** The most text a cast takes as its input (the browser counts against it before submitting). */
export const MAX_CAST_TEXT_LENGTH = 10_000;

export const castStatusSchema = z.enum(["queued", "running", "completed", "failed", "canceled"]);
export type CastStatus = z.infer<typeof castStatusSchema>;

/**
 * One step of a cast's frozen plan: its tool and credits. Params stay out: every `cast_updated`
 * event carries the whole snapshot, and the step's session shows its prompt once it starts.
 */
export const castStepSchema = z.object({ tool: toolNameSchema, cost: z.number().int().min(0) }).strict();
export type CastStep = z.infer<typeof castStepSchema>;

/**
 * A cast that carries on from an earlier, failed cast of the same image: that cast's first
 * `steps` steps completed (and were charged there); their sessions lead this cast's step ids and
 * are not run again.
 */
export const carriedStepsSchema = z.object({ castId: z.string().uuid(), steps: z.number().int().min(1) }).strict();
export type CarriedSteps = z.infer<typeof carriedStepsSchema>;

export const castSnapshotSchema = z.object({
  id: z.string().uuid(),
  spellId: z.string().uuid(),
  datasetId: z.string().uuid().nullable(),
  imageId: z.string().uuid().nullable(),
  imageIndex: z.number().int().nullable(),
  captionSetId: z.string().uuid().nullable(),
  status: castStatusSchema,
  stepGenerationIds: z.array(z.string().uuid()),
  currentStep: z.number().int(),
  /** Every step as the spell was when the cast began; later edits to the spell never change it. */
  steps: z.array(castStepSchema),
  /**
   * The failed cast of the same image this one carried on from (a re-run); null: it ran every
   * step itself (and in events written before casts could carry steps over).
   */
  carriedFrom: carriedStepsSchema.nullable().default(null),
  /** The last step's stored output once completed (text, or an image for a spell ending in seedream). */
  output: sessionOutputsSchema.nullable(),
  errorDetails: errorDetailsSchema.extend({ failedStep: z.number().int().optional() }).nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  completedAt: z.string().nullable(),
});
export type CastSnapshot = z.infer<typeof castSnapshotSchema>;
