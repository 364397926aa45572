import type { ToolHandler } from "./types";
import { stepInputOf } from "./step-input";

/** Text → text: the rendered prompt (template with the previous step's output) to the chat model. */
export const runChatGpt: ToolHandler = async ({ deps, session, signal }) => {
  stepInputOf(session, "text");
  const result = await deps.chat.complete({ messages: [{ role: "user", content: session.prompt }] }, { signal });
  return { outputs: { kind: "text", text: result.text.trim(), requestId: result.requestId } };
};
