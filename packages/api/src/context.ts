import type { Logger } from "pino";

import type { Auth } from "@spellcast/auth";
import type { Caller, EventHub } from "@spellcast/core";
import { verifyApiKey } from "@spellcast/core";
import type { Database } from "@spellcast/db";
import type { Storage } from "@spellcast/storage";

import type { HealthReport } from "./health/check-health";
import type { GenerationJobs } from "./jobs/generation-jobs";

/** Long-lived things the API needs; the app builds them once and passes them in. */
export interface ApiDeps {
  db: Database;
  auth: Auth;
  logger: Logger;
  checkHealth: () => Promise<HealthReport>;
  /** The process's one LISTEN fan-out for `events.stream` (core's createEventHub). */
  eventHub: EventHub;
  /** Where dataset images (and generated outputs) live; `datasets.delete` removes files through it. */
  storage: Storage;
  /** The queue side of generations (enqueue, cancel); the router never holds a `Queue`. */
  generationJobs: GenerationJobs;
  /** Attempts per generation and how long its credit hold lasts (covers queueing and retries). */
  generationConfig: { maxAttempts: number; holdMs: number };
}

export interface Context extends ApiDeps {
  headers: Headers;
  /** Resolves (once per request, memoised) who is asking; null when nobody signed in. */
  getCaller: () => Promise<Caller | null>;
  /** Resolves the caller again, not memoised: long-lived streams use it to notice a revoked key. */
  revalidateCaller: () => Promise<Caller | null>;
}

/** Pure: tests build it without Next from plain headers. */
export function createContext(deps: ApiDeps, headers: Headers): Context {
  let caller: Promise<Caller | null> | undefined;
  return {
    ...deps,
    headers,
    getCaller: () => (caller ??= resolveCaller(deps, headers)),
    revalidateCaller: () => resolveCaller(deps, headers),
  };
}

async function resolveCaller(deps: ApiDeps, headers: Headers): Promise<Caller | null> {
  const authorization = headers.get("authorization");
  if (authorization) {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
    const key = match?.[1];
    // An Authorization header that is not a bearer key is a client bug: refuse, don't fall back.
    return verifyApiKey(deps.db, key ?? "");
  }
  const session = await deps.auth.api.getSession({ headers });
  if (!session) return null;
  const { user } = session;
  return {
    id: user.id,
    name: user.name,
    email: user.email,
    role: user.role === "admin" ? "admin" : "user",
    via: "session",
  };
}
