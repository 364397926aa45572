import { imageCostTable } from "../sessions/pricing";
import { imageSizeSchema } from "../sessions/schema";
import type { DataKind, SpellStep, ToolName } from "./schema";
import { DEFAULT_IMAGE_SIZE } from "./tool-params";

// Re-exported: the browser imports `spells/tools` (the package exports no `spells/tool-params`).
export { DEFAULT_IMAGE_SIZE, IMAGE_SIZES, paramsForTool, toolParamsSchemas, withStoredDefaults } from "./tool-params";

export interface ToolDefinition {
  name: ToolName;
  /** How people see the tool (the name stays the stored, API-facing identifier). */
  label: string;
  input: DataKind;
  output: DataKind;
  /** Local tools run inside the chaining transaction: no provider, no queue hop. */
  local: boolean;
  cost(params: Record<string, unknown>): number;
  description: string;
}

/** Credits per call; the estimate, the reservation and the budget all read these. */
export const JOYCAPTION_COST = 2;
export const CHATGPT_COST = 1;

export const tools: Record<ToolName, ToolDefinition> = {
  joycaption: {
    name: "joycaption",
    label: "JoyCaption",
    input: "image",
    output: "text",
    local: false,
    cost: () => JOYCAPTION_COST,
    description: "Describe an image in words",
  },
  rewrite: {
    name: "rewrite",
    label: "Rewrite",
    input: "text",
    output: "text",
    local: true,
    cost: () => 0,
    description: "Free local clean-up: trim, collapse spaces, drop “This image shows…”",
  },
  chatgpt: {
    name: "chatgpt",
    label: "ChatGPT",
    input: "text",
    output: "text",
    local: false,
    cost: () => CHATGPT_COST,
    description: "A chat model follows your prompt on the text ({{input}} marks where the text goes)",
  },
  seedream: {
    name: "seedream",
    label: "Seedream",
    input: "text",
    output: "image",
    local: false,
    // A size that is missing or unknown is drawn at the default (see `withStoredDefaults`), so priced at it.
    cost: (params) => imageCostTable[imageSizeSchema.catch(DEFAULT_IMAGE_SIZE).parse(params.size)],
    description: "Draw an image from the text",
  },
};

export const stepCost = (step: SpellStep) => tools[step.tool].cost(step.params);
export const spellCost = (steps: readonly SpellStep[]) => steps.reduce((sum, step) => sum + stepCost(step), 0);

const BOILERPLATE = [
  /^(?:this|the)\s+(?:image|picture|photo(?:graph)?)\s+(?:shows|depicts|features|contains|is of|displays)\s*:?\s*/i,
  /^(?:in\s+)?(?:this|the)\s+(?:image|picture|photo(?:graph)?)\s*,\s*(?:we\s+(?:can\s+)?see\s+)?/i,
];

/** The `rewrite` tool: trim, collapse whitespace, strip leading boilerplate, capitalise. */
export function rewriteText(text: string): string {
  let out = text.replace(/\s+/g, " ").trim();
  for (const pattern of BOILERPLATE) out = out.replace(pattern, "");
  out = out.trim();
  return out.length > 0 ? out.charAt(0).toUpperCase() + out.slice(1) : out;
}

/** Fills `{{input}}` in a prompt template; a template without it gets the input appended. */
export function renderPrompt(template: unknown, input: string): string {
  if (typeof template !== "string" || template.trim() === "") return input;
  return template.includes("{{input}}") ? template.split("{{input}}").join(input) : `${template}\n\n${input}`;
}
