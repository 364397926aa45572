import type { ToolName } from "@spellcast/core";

import { runChatGpt } from "./chatgpt";
import { runJoyCaption } from "./joycaption";
import { runRewrite } from "./rewrite";
import { runSeedream } from "./seedream";
import type { ToolHandler } from "./types";

/** Tool name → handler; exhaustive over core's tools. */
export const toolHandlers: Record<ToolName, ToolHandler> = {
  seedream: runSeedream,
  joycaption: runJoyCaption,
  chatgpt: runChatGpt,
  rewrite: runRewrite,
};

export { sessionImageKey } from "./seedream";
export type { ToolHandler } from "./types";
