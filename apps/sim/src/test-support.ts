import type { SimServer } from "./server";

/** Plain fetch against the sim, so sim tests exercise the wire, not the adapters. */
export async function post(
  sim: SimServer,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
  timeoutMs = 5_000,
): Promise<Response> {
  return fetch(`${sim.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
}

export const IMAGES = "/api/v3/images/generations";
export const CHAT = "/v1/chat/completions";

export function imageRequest(prompt: string, extra: Record<string, unknown> = {}) {
  return { model: "seedream-3-0-t2i", prompt, size: "512x512", seed: 7, response_format: "b64_json", ...extra };
}

export function chatRequest(text: string) {
  return { model: "gpt-4o-mini", messages: [{ role: "user", content: text }] };
}

/** The server notes a call's end on socket close, a moment after the client saw it. */
export async function waitFor<T>(read: () => T, ok: (value: T) => boolean, timeoutMs = 2_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (ok(value) || Date.now() > until) return value;
    await new Promise((r) => setTimeout(r, 10));
  }
}
