import { createJoyCaptionAdapter, createOpenAiChatAdapter, createSeedreamAdapter } from "@spellcast/providers";
import { PNG } from "pngjs";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

import { drawPng } from "../draw-png";
import type { SimServer } from "../server";
import { startSim } from "../server";

/** The real adapters against the sim, unchanged: the sim must speak their wire format exactly. */
let sim: SimServer;
beforeAll(async () => {
  sim = await startSim();
});
beforeEach(() => sim.reset());
afterAll(() => sim.close());

const seedream = (responseFormat: "url" | "b64_json") =>
  createSeedreamAdapter({ baseUrl: sim.url, apiKey: "sk-sim", model: "seedream-3-0-t2i", timeoutMs: 5_000, responseFormat });

describe("seedream adapter", () => {
  it.each(["url", "b64_json"] as const)("returns PNG bytes and the request id (%s)", async (format) => {
    const result = await seedream(format).generateImage({ prompt: "a lighthouse", size: "1024x1024", seed: 3 });
    const png = PNG.sync.read(Buffer.from(result.png));
    expect(png.width).toBe(256);
    expect(result.model).toBe("seedream-3-0-t2i");
    expect(result.requestId).toBe(sim.calls().calls.at(-1)?.requestId);
  });

  it("gets the same image for the same prompt and seed, either way it is delivered", async () => {
    const input = { prompt: "a lighthouse", size: "512x512", seed: 11 };
    const a = await seedream("url").generateImage(input);
    const b = await seedream("b64_json").generateImage(input);
    expect(Buffer.from(a.png).equals(Buffer.from(b.png))).toBe(true);
  });
});

describe("openai-chat adapter", () => {
  it("returns the completion text, usage and request id", async () => {
    const chat = createOpenAiChatAdapter({ baseUrl: sim.url, apiKey: "sk-sim", model: "gpt-4o-mini", timeoutMs: 5_000 });
    const result = await chat.complete({
      messages: [
        { role: "system", content: "Polish the caption." },
        { role: "user", content: "a lighthouse at dusk " },
      ],
    });
    expect(result.text).toBe("Final caption: a lighthouse at dusk");
    expect(result.usage?.total_tokens).toBeGreaterThan(0);
    expect(result.completionId).toMatch(/^chatcmpl-/);
    expect(result.requestId).toBe(sim.calls().calls.at(-1)?.requestId);
  });
});

describe("joycaption adapter", () => {
  it("sends the image as a data URL and returns a caption stable per image", async () => {
    const joy = createJoyCaptionAdapter({ baseUrl: sim.url, model: "llama-joycaption-alpha-two", timeoutMs: 5_000 });
    const image = drawPng({ prompt: "dataset image 1", width: 64, height: 64 });
    const first = await joy.captionImage({ image });
    const again = await joy.captionImage({ image });
    const other = await joy.captionImage({ image: drawPng({ prompt: "dataset image 2", width: 64, height: 64 }) });
    expect(first.caption).toMatch(/^This image shows a /);
    expect(again.caption).toBe(first.caption);
    expect(other.caption).not.toBe(first.caption);
    expect(first.requestId).toMatch(/^req_/);
    expect(first.model).toBe("llama-joycaption-alpha-two");
  });
});
