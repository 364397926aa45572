import type { SeedreamImageResponse } from "@spellcast/providers";
import { SEEDREAM_IMAGES_PATH, parseSeedreamSize, seedreamImageRequestSchema } from "@spellcast/providers";

import { drawPng } from "../draw-png";
import { describeIssue, sendError, sendJson } from "../http-io";
import type { ProviderCallContext, ProviderRoute } from "./provider-route";
import { looseModel } from "./provider-route";

const MIN_SIDE = 16;
const MAX_SIDE = 4096;

type ImageRequest = ReturnType<typeof seedreamImageRequestSchema.parse>;

export const imagesRoute: ProviderRoute = {
  path: SEEDREAM_IMAGES_PATH,

  read(json) {
    const parsed = seedreamImageRequestSchema.safeParse(json);
    return {
      facts: { model: looseModel(json), prompt: parsed.success ? parsed.data.prompt : "" },
      answer: ({ requestId, res, origin, files }) => {
        if (!parsed.success) {
          sendError(res, 400, requestId, { message: describeIssue(parsed.error.issues) });
          return;
        }
        answerImage(parsed.data, { requestId, res, origin, files });
      },
    };
  },
};

function answerImage(request: ImageRequest, { requestId, res, origin, files }: ProviderCallContext): void {
  const { width, height } = parseSeedreamSize(request.size);
  if ([width, height].some((side) => side < MIN_SIDE || side > MAX_SIDE)) {
    sendError(res, 400, requestId, {
      message: `Invalid value for 'size': each side must be between ${MIN_SIDE} and ${MAX_SIDE}.`,
    });
    return;
  }
  const png = drawPng({ prompt: request.prompt, seed: request.seed, width, height });
  const image =
    request.response_format === "b64_json"
      ? { b64_json: png.toString("base64"), size: request.size }
      : { url: `${origin}/files/${files.put(png)}.png`, size: request.size };
  const body: SeedreamImageResponse = {
    model: request.model,
    created: Math.floor(Date.now() / 1000),
    data: [image],
    usage: { generated_images: 1, output_tokens: Math.ceil((width * height) / 256) },
  };
  sendJson(res, 200, body);
}
