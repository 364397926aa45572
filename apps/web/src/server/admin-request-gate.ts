import "server-only";

import { createContext } from "@spellcast/api";
import type { Caller } from "@spellcast/core";
import { isDomainError } from "@spellcast/core";

import { services } from "./services";

export type AdminGate = { ok: true; caller: Caller } | { ok: false; response: Response };

export interface AdminGateOptions {
  /** A browser page load: an anonymous visitor is sent to sign in (and back) instead of a 401. */
  isPage: boolean;
  /** Where the visitor returns after signing in. */
  nextPath: string;
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Admits an admin, by session cookie or `Authorization: Bearer <api key>` (the same resolution as
 * the tRPC API). Anonymous → sign-in redirect (pages) or 401 JSON; signed-in non-admin → 403.
 * Cookie-authenticated writes must come from a trusted origin, as better-auth requires for its own.
 */
export async function gateAdminRequest(req: Request, options: AdminGateOptions): Promise<AdminGate> {
  const { apiDeps, config, logger } = services();
  let caller: Caller | null;
  try {
    caller = await createContext(apiDeps, req.headers).getCaller();
  } catch (err) {
    if (isDomainError(err) && err.code === "UNAUTHORIZED") return refuse(401, "UNAUTHORIZED", err.message);
    if (isDomainError(err) && err.code === "FORBIDDEN") return refuse(403, "FORBIDDEN", err.message, options.isPage);
    logger.error({ err }, "admin_gate.resolve_caller.failed");
    return refuse(503, "UNAVAILABLE", "Could not check who you are; try again shortly");
  }

  if (!caller) {
    if (options.isPage) {
      const target = `/sign-in?${new URLSearchParams({ next: options.nextPath }).toString()}`;
      return { ok: false, response: new Response(null, { status: 302, headers: { location: target, "cache-control": "no-store" } }) };
    }
    return refuse(401, "UNAUTHORIZED", "Sign in as an admin, or send an admin's API key as a bearer token");
  }
  if (caller.role !== "admin") return refuse(403, "FORBIDDEN", "You are signed in, but this account is not an admin", options.isPage);

  if (caller.via === "session" && !SAFE_METHODS.has(req.method)) {
    const trusted = [new URL(config.BETTER_AUTH_URL).origin, ...config.TRUSTED_ORIGINS];
    const origin = requestOrigin(req);
    if (!origin || !trusted.includes(origin)) {
      logger.warn({ adminId: caller.id, origin, method: req.method }, "admin_gate.untrusted_origin");
      return refuse(403, "FORBIDDEN", "Cookie-authenticated changes need an Origin header from a trusted origin");
    }
  }
  return { ok: true, caller };
}

function requestOrigin(req: Request): string | null {
  const origin = req.headers.get("origin");
  if (origin && origin !== "null") return origin;
  const referer = req.headers.get("referer");
  if (!referer) return null;
  try {
    return new URL(referer).origin;
  } catch {
    return null;
  }
}

function refuse(status: number, code: string, message: string, asPage = false): AdminGate {
  const headers = { "cache-control": "no-store" };
  if (asPage) return { ok: false, response: new Response(forbiddenPage(message), { status, headers: { ...headers, "content-type": "text/html; charset=utf-8" } }) };
  return { ok: false, response: Response.json({ error: code, message }, { status, headers }) };
}

function forbiddenPage(message: string): string {
  const text = message.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Admins only · Spellcast</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;line-height:1.5;color:#1f2330}a{color:#5b3cc4}</style>
</head><body><h1>Admins only</h1><p>${text}.</p><p>The queue dashboard is for Spellcast operators; ask an admin if you need access.</p>
<p><a href="/">Back to Spellcast</a></p></body></html>`;
}
