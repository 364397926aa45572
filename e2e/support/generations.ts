import { randomUUID } from "node:crypto";

import type { APIRequestContext } from "@playwright/test";
import { expect } from "@playwright/test";

export interface SessionSummary {
  id: string;
  status: string;
  cost: number;
}

/** generations.create over plain HTTP (tRPC + superjson wire format), as the signed-in user. */
export async function createGenerationOverHttp(
  request: APIRequestContext,
  input: { prompt: string; size?: string },
  headers: Record<string, string> = {},
): Promise<SessionSummary> {
  const res = await request.post("/api/trpc/generations.create", {
    headers: { "content-type": "application/json", ...headers },
    data: { json: { prompt: input.prompt, params: { size: input.size ?? "512x512" }, clientKey: randomUUID() } },
  });
  expect(res.status(), await res.text()).toBe(200);
  const body = (await res.json()) as { result: { data: { json: SessionSummary } } };
  return body.result.data.json;
}

export async function getGenerationOverHttp(request: APIRequestContext, id: string): Promise<SessionSummary> {
  const input = encodeURIComponent(JSON.stringify({ json: { id } }));
  const res = await request.get(`/api/trpc/generations.get?input=${input}`);
  expect(res.status(), await res.text()).toBe(200);
  const body = (await res.json()) as { result: { data: { json: SessionSummary } } };
  return body.result.data.json;
}

/** Polls until the session reaches `status` (as the server sees it). */
export async function waitForStatus(request: APIRequestContext, id: string, status: string, timeoutMs = 30_000) {
  await expect
    .poll(async () => (await getGenerationOverHttp(request, id)).status, { timeout: timeoutMs, intervals: [100, 250, 500] })
    .toBe(status);
}

/** Adds fault rules to the sim (they stay until the run ends: each test uses its own prompt token). */
export async function addSimFaults(rules: object[]): Promise<void> {
  const simUrl = process.env.E2E_SIM_URL;
  if (!simUrl) throw new Error("E2E_SIM_URL is not set (global setup)");
  const res = await fetch(`${simUrl}/__sim/faults`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(rules),
  });
  expect(res.status, await res.text()).toBeLessThan(300);
}

export const uniqueToken = (label: string) => `${label}-${randomUUID().slice(0, 8)}`;
