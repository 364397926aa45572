import type { ChatMessage } from "@spellcast/providers";

import { stepInputOf } from "./step-input";
import type { ToolHandler } from "./types";

/**
 * Text → text. A template that ends with `{{input}}` is sent as an instruction (system) and the
 * previous step's output as the user message; any other template is sent rendered, as one message.
 */
export const runChatGpt: ToolHandler = async ({ deps, session, signal, inProviderSlot }) => {
  const input = stepInputOf(session, "text");
  const text = input.kind === "text" ? input.text : "";
  const messages = messagesFor(session.params.promptTemplate, session.prompt, text);
  const result = await inProviderSlot(() => deps.chat.complete({ messages }, { signal }));
  return { outputs: { kind: "text", text: result.text.trim(), requestId: result.requestId } };
};

function messagesFor(template: unknown, rendered: string, input: string): ChatMessage[] {
  const raw = typeof template === "string" ? template : "";
  const instruction = raw.trimEnd().endsWith("{{input}}") ? raw.trimEnd().slice(0, -"{{input}}".length).trim() : null;
  if (instruction && !instruction.includes("{{input}}")) {
    return [
      { role: "system", content: instruction },
      { role: "user", content: input },
    ];
  }
  return [{ role: "user", content: rendered }];
}
