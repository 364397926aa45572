import type { CallOptions } from "../http";
import type { ChatUsage } from "../openai-chat/wire";
import { sendChatCompletion } from "../openai-chat/adapter";
import type { JoyCaptionRequest } from "./wire";
import { DEFAULT_JOYCAPTION_PROMPT, DEFAULT_JOYCAPTION_SYSTEM_PROMPT, toImageDataUrl } from "./wire";

export interface JoyCaptionAdapterConfig {
  /** Origin of the OpenAI-compatible server, without `/v1`. */
  baseUrl: string;
  /** Self-hosted servers often need none. */
  apiKey?: string;
  model: string;
  timeoutMs: number;
  maxTokens?: number;
}

export interface CaptionImageInput {
  image: Uint8Array;
  mimeType?: "image/png" | "image/jpeg" | "image/webp";
  /** The instruction; defaults to a descriptive formal caption. */
  prompt?: string;
}

export interface CaptionResult {
  caption: string;
  usage?: ChatUsage;
  requestId?: string;
  model: string;
}

export interface JoyCaptionAdapter {
  captionImage(input: CaptionImageInput, opts?: CallOptions): Promise<CaptionResult>;
}

export function createJoyCaptionAdapter(config: JoyCaptionAdapterConfig): JoyCaptionAdapter {
  return {
    async captionImage(input, opts = {}) {
      const request: JoyCaptionRequest = {
        model: config.model,
        max_tokens: config.maxTokens,
        messages: [
          { role: "system", content: DEFAULT_JOYCAPTION_SYSTEM_PROMPT },
          {
            role: "user",
            content: [
              { type: "text", text: input.prompt ?? DEFAULT_JOYCAPTION_PROMPT },
              { type: "image_url", image_url: { url: toImageDataUrl(input.image, input.mimeType ?? "image/png") } },
            ],
          },
        ],
      };
      const result = await sendChatCompletion("joycaption", config, request, opts);
      return { caption: result.text, usage: result.usage, requestId: result.requestId, model: result.model };
    },
  };
}
