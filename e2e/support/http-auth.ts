import { expect } from "@playwright/test";

import type { newUser } from "./users";

/**
 * Signing in over plain HTTP, the way a script would, for tests that call routes directly.
 * better-auth wants an `Origin` from its trusted origins on cookie-carrying POSTs: the base URL is one.
 */
export async function signInOverHttp(baseURL: string, email: string, password: string): Promise<string> {
  return authPost(baseURL, "/api/auth/sign-in/email", { email, password });
}

export async function signUpOverHttp(baseURL: string, user: ReturnType<typeof newUser>): Promise<string> {
  return authPost(baseURL, "/api/auth/sign-up/email", user);
}

/** Creates an API key for the signed-in user (cookie) through the tRPC API; returns the plain key. */
export async function createApiKeyOverHttp(baseURL: string, cookie: string, name: string): Promise<string> {
  const res = await fetch(`${baseURL}/api/trpc/apiKeys.create`, {
    method: "POST",
    headers: { cookie, origin: baseURL, "content-type": "application/json" },
    body: JSON.stringify({ json: { name } }),
  });
  expect(res.status, await res.clone().text()).toBe(200);
  const body = (await res.json()) as { result?: { data?: { json?: { key?: string } } } };
  const key = body.result?.data?.json?.key;
  if (!key) throw new Error("no key in apiKeys.create response");
  return key;
}

async function authPost(baseURL: string, path: string, body: object): Promise<string> {
  const res = await fetch(`${baseURL}${path}`, {
    method: "POST",
    headers: { origin: baseURL, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  expect(res.status, await res.clone().text()).toBe(200);
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  expect(cookie).toContain("session_token");
  return cookie;
}
