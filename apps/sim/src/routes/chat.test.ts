import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { drawPng } from "../draw-png";
import type { SimServer } from "../server";
import { startSim } from "../server";
import { CHAT, chatRequest, post } from "../test-support";

let sim: SimServer;
beforeAll(async () => {
  sim = await startSim();
});
afterAll(() => sim.close());

interface Completion {
  id: string;
  object: string;
  model: string;
  choices: { message: { role: string; content: string }; finish_reason: string }[];
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}

function visionRequest(image: Buffer) {
  return {
    model: "joycaption-alpha-two",
    messages: [
      { role: "system", content: "You are a helpful image captioner." },
      {
        role: "user",
        content: [
          { type: "text", text: "Write a descriptive caption." },
          { type: "image_url", image_url: { url: `data:image/png;base64,${image.toString("base64")}` } },
        ],
      },
    ],
  };
}

async function complete(body: unknown): Promise<Completion> {
  const res = await post(sim, CHAT, body);
  expect(res.status).toBe(200);
  return (await res.json()) as Completion;
}

describe("POST /v1/chat/completions", () => {
  it("acts as ChatGPT for text: a deterministic rewrite in an OpenAI-shaped completion", async () => {
    const body = await complete(chatRequest("  a red fox in snow  "));
    expect(body.id).toMatch(/^chatcmpl-/);
    expect(body.object).toBe("chat.completion");
    expect(body.model).toBe("gpt-4o-mini");
    expect(body.choices[0]?.message).toEqual({ role: "assistant", content: "Final caption: a red fox in snow" });
    expect(body.choices[0]?.finish_reason).toBe("stop");
    expect(body.usage.total_tokens).toBe(body.usage.prompt_tokens + body.usage.completion_tokens);
  });

  it("acts as JoyCaption when the last user turn has an image: same image, same caption", async () => {
    const one = drawPng({ prompt: "one", width: 64, height: 64 });
    const two = drawPng({ prompt: "two", width: 64, height: 64 });
    const a = (await complete(visionRequest(one))).choices[0]?.message.content;
    const b = (await complete(visionRequest(one))).choices[0]?.message.content;
    const c = (await complete(visionRequest(two))).choices[0]?.message.content;
    expect(a).toMatch(/^This image shows a \w+ and [\w-]+ abstract composition/);
    expect(a).toBe(b);
    expect(c).not.toBe(a);
  });

  it("rejects a non-data image URL and a malformed body with 400", async () => {
    const remote = visionRequest(Buffer.from("x"));
    const userTurn = remote.messages[1];
    if (userTurn && Array.isArray(userTurn.content)) {
      userTurn.content[1] = { type: "image_url", image_url: { url: "https://example.com/cat.png" } };
    }
    expect((await post(sim, CHAT, remote)).status).toBe(400);
    const res = await post(sim, CHAT, { model: "gpt", messages: [{ role: "robot", content: "hi" }] });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { message: string } };
    expect(body.error.message).toContain("messages.0.role");
  });

  it("rejects a body that is not JSON", async () => {
    const res = await fetch(`${sim.url}${CHAT}`, { method: "POST", body: "{nope" });
    expect(res.status).toBe(400);
  });
});
