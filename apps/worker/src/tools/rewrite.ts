import { rewriteText } from "@spellcast/core";

import { stepInputOf } from "./step-input";
import type { ToolHandler } from "./types";

/** Local normalisation. Chains run it inside the completing transaction; this handles a queued one. */
export const runRewrite: ToolHandler = ({ session }) => {
  const input = stepInputOf(session, "text");
  return Promise.resolve({ outputs: { kind: "text", text: input.kind === "text" ? rewriteText(input.text) : "" } });
};
