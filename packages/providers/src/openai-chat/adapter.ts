import type { CallOptions } from "../http";
import { bearer, invalidResponse, joinUrl, postJson } from "../http";
import type { ChatCompletionRequest, ChatCompletionResponse, ChatMessage, ChatUsage } from "./wire";
import { CHAT_COMPLETIONS_PATH, chatCompletionResponseSchema } from "./wire";

export interface ChatAdapterConfig {
  /** Origin of the API, without `/v1`. */
  baseUrl: string;
  apiKey?: string;
  model: string;
  timeoutMs: number;
}

export interface ChatCompletionInput {
  messages: ChatMessage[];
  temperature?: number;
  maxTokens?: number;
  seed?: number;
}

export interface ChatCompletionResult {
  text: string;
  usage?: ChatUsage;
  requestId?: string;
  model: string;
  /** The provider's completion id (`chatcmpl-…`), distinct from the request id. */
  completionId: string;
}

export interface OpenAiChatAdapter {
  complete(input: ChatCompletionInput, opts?: CallOptions): Promise<ChatCompletionResult>;
}

export function createOpenAiChatAdapter(config: ChatAdapterConfig): OpenAiChatAdapter {
  return {
    async complete(input, opts = {}) {
      const request: ChatCompletionRequest = {
        model: config.model,
        messages: input.messages,
        temperature: input.temperature,
        max_tokens: input.maxTokens,
        seed: input.seed,
      };
      return sendChatCompletion("openai-chat", config, request, opts);
    },
  };
}

/** Shared with JoyCaption, which speaks the same protocol on its own server. */
export async function sendChatCompletion(
  provider: string,
  config: Omit<ChatAdapterConfig, "model">,
  request: ChatCompletionRequest,
  opts: CallOptions,
): Promise<ChatCompletionResult> {
  const res = await postJson({
    provider,
    url: joinUrl(config.baseUrl, CHAT_COMPLETIONS_PATH),
    headers: bearer(config.apiKey),
    body: request,
    timeoutMs: config.timeoutMs,
    signal: opts.signal,
    schema: chatCompletionResponseSchema,
  });
  const text = firstChoiceText(res.data);
  if (text === undefined) {
    throw invalidResponse(provider, "choices[0].message.content is empty", JSON.stringify(res.data), res.status, res.requestId);
  }
  return { text, usage: res.data.usage, requestId: res.requestId, model: res.data.model, completionId: res.data.id };
}

function firstChoiceText(response: ChatCompletionResponse): string | undefined {
  const content = response.choices[0]?.message.content?.trim();
  return content ? content : undefined;
}
