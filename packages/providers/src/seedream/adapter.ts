import { ProviderError } from "../errors";
import type { CallOptions } from "../http";
import { bearer, getBytes, invalidResponse, joinUrl, postJson } from "../http";
import type { SeedreamImageRequest } from "./wire";
import { SEEDREAM_IMAGES_PATH, seedreamImageResponseSchema } from "./wire";

const PROVIDER = "seedream";
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export interface SeedreamAdapterConfig {
  /** Origin of the API, without `/api/v3`. */
  baseUrl: string;
  apiKey?: string;
  model: string;
  /** Applies to the generation call and, separately, to downloading the image. */
  timeoutMs: number;
  responseFormat?: "url" | "b64_json";
}

export interface GenerateImageInput {
  prompt: string;
  /** "WIDTHxHEIGHT", e.g. "1024x1024". */
  size: string;
  seed?: number;
}

export interface GeneratedImage {
  png: Uint8Array;
  requestId?: string;
  model: string;
  created: number;
}

export interface SeedreamAdapter {
  generateImage(input: GenerateImageInput, opts?: CallOptions): Promise<GeneratedImage>;
}

export function createSeedreamAdapter(config: SeedreamAdapterConfig): SeedreamAdapter {
  const responseFormat = config.responseFormat ?? "url";
  return {
    async generateImage(input, opts = {}) {
      const request: SeedreamImageRequest = {
        model: config.model,
        prompt: input.prompt,
        size: input.size,
        seed: input.seed,
        response_format: responseFormat,
      };
      const res = await postJson({
        provider: PROVIDER,
        url: joinUrl(config.baseUrl, SEEDREAM_IMAGES_PATH),
        headers: bearer(config.apiKey),
        body: request,
        timeoutMs: config.timeoutMs,
        signal: opts.signal,
        schema: seedreamImageResponseSchema,
      });
      const image = res.data.data[0];
      let png: Uint8Array | undefined;
      if (image?.b64_json) {
        png = Buffer.from(image.b64_json, "base64");
      } else if (image?.url) {
        png = await downloadImage(image.url, config.timeoutMs, opts.signal, res.requestId);
      }
      if (!png || !isPng(png)) {
        throw invalidResponse(PROVIDER, "no PNG image in the response", JSON.stringify(res.data), res.status, res.requestId);
      }
      return { png, requestId: res.requestId, model: res.data.model ?? config.model, created: res.data.created };
    },
  };
}

async function downloadImage(
  url: string,
  timeoutMs: number,
  signal: AbortSignal | undefined,
  generationRequestId: string | undefined,
): Promise<Uint8Array> {
  try {
    const res = await getBytes({ provider: PROVIDER, url, timeoutMs, signal });
    return res.data;
  } catch (err) {
    // The id users can quote to the provider is the generation's, not the file server's.
    if (err instanceof ProviderError && generationRequestId && !err.requestId) {
      throw new ProviderError({
        provider: err.provider,
        kind: err.kind,
        message: err.message,
        status: err.status,
        body: err.body,
        requestId: generationRequestId,
        retryAfterMs: err.retryAfterMs,
        code: err.code,
        cause: err,
      });
    }
    throw err;
  }
}

function isPng(bytes: Uint8Array): boolean {
  return bytes.length > PNG_SIGNATURE.length && PNG_SIGNATURE.equals(bytes.subarray(0, PNG_SIGNATURE.length));
}
