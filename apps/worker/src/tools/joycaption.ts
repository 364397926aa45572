import { stepInputOf } from "./step-input";
import type { ToolHandler } from "./types";

const mimeTypes = new Set(["image/png", "image/jpeg", "image/webp"] as const);
type Mime = "image/png" | "image/jpeg" | "image/webp";
const asMime = (t: string): Mime | undefined => [...mimeTypes].find((m) => m === t);

/** Image → text: reads the dataset image (owner-scoped) from storage and asks JoyCaption. */
export const runJoyCaption: ToolHandler = async ({ deps, session, userId, signal, log, inProviderSlot }) => {
  const input = stepInputOf(session, "image");
  if (input.kind !== "image") throw new Error("unreachable");
  const file = await deps.images.read({ userId, datasetId: input.datasetId, imageId: input.imageId });
  log.debug({ imageIndex: input.imageIndex, bytes: file.bytes.length }, "joycaption.image.read");
  const prompt = typeof session.params.prompt === "string" && session.params.prompt ? session.params.prompt : undefined;
  const image = { image: file.bytes, mimeType: asMime(file.contentType), prompt };
  const result = await inProviderSlot(() => deps.joycaption.captionImage(image, { signal }));
  return { outputs: { kind: "text", text: result.caption, requestId: result.requestId } };
};
