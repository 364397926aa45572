import { randomUUID } from "node:crypto";
import type { ServerResponse } from "node:http";

import type { ChatCompletionResponse, ChatMessage } from "@spellcast/providers";
import { CHAT_COMPLETIONS_PATH, chatCompletionRequestSchema, messageText, parseImageDataUrl } from "@spellcast/providers";

import { captionForImage, countTokens, rewriteText } from "../fake-text";
import { describeIssue, sendError, sendJson } from "../http-io";
import type { ProviderRoute } from "./provider-route";
import { looseModel } from "./provider-route";

/**
 * One path, two providers: a user turn carrying an image is JoyCaption's, anything else is
 * ChatGPT's. That is how the real deployments differ too (same protocol, different model).
 */
export const chatRoute: ProviderRoute = {
  path: CHAT_COMPLETIONS_PATH,

  read(json) {
    const parsed = chatCompletionRequestSchema.safeParse(json);
    const prompt = parsed.success ? parsed.data.messages.map(messageText).join("\n") : "";
    return {
      facts: { model: looseModel(json), prompt },
      answer: ({ requestId, res }) => {
        if (!parsed.success) {
          sendError(res, 400, requestId, { message: describeIssue(parsed.error.issues) });
          return;
        }
        answerChat(parsed.data, prompt, requestId, res);
      },
    };
  },
};

type ChatRequest = ReturnType<typeof chatCompletionRequestSchema.parse>;

/** `prompt`: every message's text, one per line (what the usage counts). */
function answerChat({ model, messages }: ChatRequest, prompt: string, requestId: string, res: ServerResponse): void {
  const lastUser = messages.findLast((m) => m.role === "user");
  if (!lastUser) {
    sendError(res, 400, requestId, { message: "Invalid value for 'messages': at least one user message is required." });
    return;
  }
  const imageUrl = findImageUrl(lastUser);
  let content: string;
  if (imageUrl !== undefined) {
    const image = parseImageDataUrl(imageUrl);
    if (!image || image.bytes.length === 0) {
      sendError(res, 400, requestId, {
        message: "Invalid value for 'image_url': expected a base64 data URL (data:image/png;base64,...).",
      });
      return;
    }
    content = captionForImage(image.bytes);
  } else {
    content = rewriteText(messageText(lastUser));
  }
  const promptTokens = countTokens(prompt) + (imageUrl ? 729 : 0);
  const completionTokens = countTokens(content);
  const body: ChatCompletionResponse & { system_fingerprint: string } = {
    id: `chatcmpl-${randomUUID().replaceAll("-", "")}`,
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }],
    usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
    system_fingerprint: "fp_spellcast_sim",
  };
  sendJson(res, 200, body);
}

function findImageUrl(message: ChatMessage): string | undefined {
  if (typeof message.content === "string") return undefined;
  for (const part of message.content) if (part.type === "image_url") return part.image_url.url;
  return undefined;
}
