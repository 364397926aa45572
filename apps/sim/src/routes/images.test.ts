import { PNG } from "pngjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { MAX_DRAWN_SIDE } from "../draw-png";
import type { SimServer } from "../server";
import { startSim } from "../server";
import { IMAGES, imageRequest, post } from "../test-support";

let sim: SimServer;
beforeAll(async () => {
  sim = await startSim();
});
afterAll(() => sim.close());

async function b64Image(body: unknown): Promise<Buffer> {
  const res = await post(sim, IMAGES, body);
  expect(res.status).toBe(200);
  const json = (await res.json()) as { data: { b64_json: string }[] };
  return Buffer.from(json.data[0]?.b64_json ?? "", "base64");
}

describe("POST /api/v3/images/generations", () => {
  it("returns a PNG that decodes, drawn no larger than the cap", async () => {
    const png = PNG.sync.read(await b64Image(imageRequest("a lighthouse", { size: "2048x1024" })));
    expect(png.width).toBe(MAX_DRAWN_SIDE);
    expect(png.height).toBe(MAX_DRAWN_SIDE / 2);
  });

  it("is deterministic for the same prompt, seed and size, and differs otherwise", async () => {
    const a = await b64Image(imageRequest("a lighthouse"));
    const b = await b64Image(imageRequest("a lighthouse"));
    const otherPrompt = await b64Image(imageRequest("a forest"));
    const otherSeed = await b64Image(imageRequest("a lighthouse", { seed: 8 }));
    expect(a.equals(b)).toBe(true);
    expect(a.equals(otherPrompt)).toBe(false);
    expect(a.equals(otherSeed)).toBe(false);
  });

  it("serves url responses from /files", async () => {
    const res = await post(sim, IMAGES, imageRequest("a lighthouse", { response_format: "url" }));
    const json = (await res.json()) as { created: number; data: { url: string }[] };
    expect(json.created).toBeGreaterThan(0);
    const url = json.data[0]?.url ?? "";
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/files\/[a-f0-9]+\.png$/);
    const file = await fetch(url);
    expect(file.headers.get("content-type")).toBe("image/png");
    const bytes = Buffer.from(await file.arrayBuffer());
    expect(bytes.equals(await b64Image(imageRequest("a lighthouse")))).toBe(true);
  });

  it("rejects an invalid body with a provider-style 400", async () => {
    const res = await post(sim, IMAGES, { model: "m", prompt: "x", size: "big" });
    expect(res.status).toBe(400);
    const requestId = res.headers.get("x-request-id");
    expect(requestId).toMatch(/^req_[a-f0-9]{32}$/);
    const body = (await res.json()) as { error: { code: string; type: string; message: string } };
    expect(body.error.code).toBe("InvalidParameter");
    expect(body.error.type).toBe("invalid_request_error");
    expect(body.error.message).toContain("'size'");
    expect(body.error.message.endsWith(` Request id: ${requestId}`)).toBe(true);
  });

  it("answers unknown files and paths with 404 and a request id", async () => {
    const missing = await fetch(`${sim.url}/files/abcdef.png`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get("x-request-id")).toMatch(/^req_/);
    expect((await post(sim, "/v2/nothing", {})).status).toBe(404);
  });
});
