import { z } from "zod";

import { chatCompletionRequestSchema, chatImagePartSchema, chatTextPartSchema } from "../openai-chat/wire";

/**
 * JoyCaption is served as an OpenAI-compatible vision chat model (vLLM and friends), so its wire
 * format is the chat one with a user turn holding exactly one text part and one image part.
 */
export const JOYCAPTION_PATH = "/v1/chat/completions";

export const joyCaptionUserMessageSchema = z.object({
  role: z.literal("user"),
  content: z.tuple([chatTextPartSchema, chatImagePartSchema]),
});

export const joyCaptionRequestSchema = chatCompletionRequestSchema.extend({
  messages: z.tuple([z.object({ role: z.literal("system"), content: z.string() }), joyCaptionUserMessageSchema]),
});
export type JoyCaptionRequest = z.infer<typeof joyCaptionRequestSchema>;

export const DEFAULT_JOYCAPTION_SYSTEM_PROMPT = "You are a helpful image captioner.";
export const DEFAULT_JOYCAPTION_PROMPT = "Write a descriptive caption for this image in a formal tone.";

export function toImageDataUrl(bytes: Uint8Array, mimeType: string): string {
  return `data:${mimeType};base64,${Buffer.from(bytes).toString("base64")}`;
}

/** Returns undefined unless `url` is a base64 data URL. */
export function parseImageDataUrl(url: string): { mimeType: string; bytes: Buffer } | undefined {
  const match = /^data:([\w.+-]+\/[\w.+-]+);base64,(.*)$/s.exec(url);
  if (!match?.[1] || match[2] === undefined) return undefined;
  return { mimeType: match[1], bytes: Buffer.from(match[2], "base64") };
}

/** The answer is a plain chat completion; the caption is `choices[0].message.content`. */
export { chatCompletionResponseSchema as joyCaptionResponseSchema } from "../openai-chat/wire";
