import { DEFAULT_IMAGE_SIZE, imageSizeSchema } from "@spellcast/core";
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

/**
 * A session without a size is a cast's step frozen before spells had one: it was priced at the
 * default size, so it is drawn at it. A size that is there but unknown is refused.
 */
function imageInput(session: SessionSnapshot) {
  const size = imageSizeSchema.default(DEFAULT_IMAGE_SIZE).safeParse(session.params.size);
  const seed = session.params.seed;
  if (!size.success) throw invalidStep(`The session's image size ${JSON.stringify(session.params.size)} is not one of ${imageSizeSchema.options.join(", ")}`);
  return { prompt: session.prompt, size: size.data, seed: typeof seed === "number" ? seed : undefined };
}
