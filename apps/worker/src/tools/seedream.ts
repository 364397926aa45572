import { imageSizeSchema } from "@spellcast/core";
import type { SessionSnapshot } from "@spellcast/core";

import { invalidStep } from "./step-input";
import type { ToolHandler } from "./types";

export const sessionImageKey = (sessionId: string) => `sessions/${sessionId}.png`;

/** Text → image: call Seedream, store the PNG under the session's key. */
export const runSeedream: ToolHandler = async ({ deps, session, signal, inProviderSlot }) => {
  const input = imageInput(session);
  const { png, requestId } = await inProviderSlot(() => deps.seedream.generateImage(input, { signal }));
  const key = sessionImageKey(session.id);
  const stored = await deps.storage.put(key, png, "image/png");
  return {
    outputs: { kind: "image", storageKey: key, contentType: "image/png", bytes: stored.bytes, requestId },
    discard: () => deps.storage.delete(key),
  };
};

function imageInput(session: SessionSnapshot) {
  const size = imageSizeSchema.safeParse(session.params.size);
  const seed = session.params.seed;
  if (!size.success) throw invalidStep("The session has no valid image size");
  return { prompt: session.prompt, size: size.data, seed: typeof seed === "number" ? seed : undefined };
}
