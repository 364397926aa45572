import { z } from "zod";

/**
 * The error envelope shared by OpenAI, Ark (Seedream) and OpenAI-compatible servers such as
 * vLLM hosting JoyCaption. Loose on purpose: gateways add fields and some send numeric codes.
 */
export const providerErrorBodySchema = z.object({
  error: z.object({
    code: z.union([z.string(), z.number()]).nullish(),
    message: z.string(),
    type: z.string().nullish(),
    param: z.string().nullish(),
  }),
});
export type ProviderErrorBody = z.infer<typeof providerErrorBodySchema>;
