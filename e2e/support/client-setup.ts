import { execFileSync, spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "@playwright/test";

import { signUpOverHttp } from "./http-auth";
import { newUser } from "./users";

const root = path.resolve(import.meta.dirname, "../..");

/**
 * Copies the built client (package.json + dist) and examples/node-client into a temporary folder
 * outside the monorepo, keeping their relative layout, then installs and compiles the example there:
 * nothing resolves from the monorepo's node_modules, so this is what another app gets.
 */
export function prepareExampleOutsideMonorepo(): { dir: string; cleanup: () => void } {
  const clientDist = path.join(root, "packages/client/dist/index.d.ts");
  if (!existsSync(clientDist)) {
    throw new Error("packages/client is not built: run `npx turbo run build --filter=@spellcast/client` (npm test does)");
  }
  const base = mkdtempSync(path.join(tmpdir(), "spellcast-client-"));
  mkdirSync(path.join(base, "packages/client"), { recursive: true });
  cpSync(path.join(root, "packages/client/package.json"), path.join(base, "packages/client/package.json"));
  cpSync(path.join(root, "packages/client/dist"), path.join(base, "packages/client/dist"), { recursive: true });
  const dir = path.join(base, "examples/node-client");
  cpSync(path.join(root, "examples/node-client"), dir, {
    recursive: true,
    filter: (src) => !/node_modules|[\\/]dist$/.test(src),
  });
  // Versions are the ones the monorepo installed, so npm's cache has them (works offline).
  execFileSync("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"], { cwd: dir, stdio: "pipe" });
  // Type-checks the example against the published declarations (tsc fails on any type error).
  execFileSync("npx", ["tsc", "-p", "tsconfig.json"], { cwd: dir, stdio: "pipe" });
  return { dir, cleanup: () => rmSync(base, { recursive: true, force: true }) };
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the compiled example like another app would, with only its own env. */
export function runExample(dir: string, env: Record<string, string>, timeoutMs = 60_000): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["dist/generate.js"], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? "", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`example timed out\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A new user with an API key, both made over HTTP; returns the key, its id and the user's cookie. */
export async function freshApiKey(baseURL: string, label: string): Promise<{ key: string; keyId: string; cookie: string }> {
  const cookie = await signUpOverHttp(baseURL, newUser(label));
  const res = await fetch(`${baseURL}/api/trpc/apiKeys.create`, {
    method: "POST",
    headers: { cookie, origin: baseURL, "content-type": "application/json" },
    body: JSON.stringify({ json: { name: label } }),
  });
  expect(res.status, await res.clone().text()).toBe(200);
  const body = (await res.json()) as { result: { data: { json: { key: string; apiKey: { id: string } } } } };
  return { key: body.result.data.json.key, keyId: body.result.data.json.apiKey.id, cookie };
}

/** Revokes an API key as its owner (cookie), over HTTP. */
export async function revokeApiKeyOverHttp(baseURL: string, cookie: string, id: string): Promise<void> {
  const res = await fetch(`${baseURL}/api/trpc/apiKeys.revoke`, {
    method: "POST",
    headers: { cookie, origin: baseURL, "content-type": "application/json" },
    body: JSON.stringify({ json: { id } }),
  });
  expect(res.status, await res.clone().text()).toBe(200);
}
