import type { ToolName } from "@spellcast/core/spells/schema";
import { tools } from "@spellcast/core/spells/tools";

/** A tool as people read it ("ChatGPT", not "chatgpt"); a name this build does not know, as it is. */
export function toolLabel(tool: string): string {
  return Object.hasOwn(tools, tool) ? tools[tool as ToolName].label : tool;
}
