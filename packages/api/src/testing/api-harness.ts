import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { eq } from "drizzle-orm";
import { Redis } from "ioredis";
import pino from "pino";

import { createAuth } from "@spellcast/auth";
import { createEventHub, grantStartingCredits } from "@spellcast/core";
import { createDb, users } from "@spellcast/db";
import { createLocalStorage } from "@spellcast/storage";
import { createProducers } from "@spellcast/queue";

import { testEnv } from "../../../../tooling/test/env";
import type { ApiDeps } from "../context";
import { createContext } from "../context";
import { checkHealth } from "../health/check-health";
import { createGenerationJobs } from "../jobs/generation-jobs";
import { appRouter } from "../root";
import { createCallerFactory } from "../trpc";

const createCaller = createCallerFactory(appRouter);

export interface ApiHarnessOptions {
  /** Each new user's welcome grant, as the web app's STARTING_CREDITS (default 100; 0: none). */
  startingCredits?: number;
}

/** Real database, real auth library, real Redis: the API as the web app builds it. */
export function createApiHarness({ startingCredits = 100 }: ApiHarnessOptions = {}) {
  const { databaseUrl, redisUrl, redisPrefix } = testEnv();
  const { db, sql, close } = createDb(databaseUrl, { max: 5, appName: "spellcast-api-test" });
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  const auth = createAuth({
    db,
    baseURL: "http://localhost:3000",
    secret: randomBytes(32).toString("hex"),
    rateLimit: false,
    onUserCreated: async (user) => {
      await grantStartingCredits(db, { userId: user.id, amount: startingCredits });
    },
  });
  // The hub LISTENs on its own connection, named so a test can find (and kill) just this one.
  const listenerAppName = `spellcast-api-test-listen-${randomBytes(4).toString("hex")}`;
  const listener = createDb(databaseUrl, { max: 1, appName: listenerAppName });
  const logger = pino({ level: "silent" });
  const eventHub = createEventHub({ sql: listener.sql, logger });
  // Real files in a folder of this harness's own, removed by cleanup.
  const storageDir = mkdtempSync(path.join(tmpdir(), "spellcast-api-storage-"));
  const storage = createLocalStorage(storageDir);
  // Each harness gets its own queue key space under the run's prefix, so a test can count jobs.
  const queuePrefix = `${redisPrefix}-api-${randomBytes(3).toString("hex")}`;
  const producers = createProducers({ redisUrl, prefix: queuePrefix });
  const generationConfig = { maxAttempts: 3, holdMs: 30 * 60_000 };
  const deps: ApiDeps = {
    db,
    auth,
    logger,
    checkHealth: () => checkHealth({ sql, redis, redisPrefix }),
    eventHub,
    storage,
    generationJobs: createGenerationJobs({ producers, publisher: redis }),
    generationConfig,
  };

  const callerFor = (headers: Record<string, string> = {}) => createCaller(createContext(deps, new Headers(headers)));

  /** Signs a new user up through better-auth and returns its cookie header and identity. */
  async function signUp(name = "Test User") {
    const email = `user-${randomBytes(6).toString("hex")}@example.test`;
    const password = "correct horse battery";
    await auth.api.signUpEmail({ body: { email, password, name } });
    const cookie = await signIn(email, password);
    return { email, password, cookie, caller: callerFor({ cookie }) };
  }

  /** A new user promoted to admin (role set in the database), signed in again afterwards. */
  async function signUpAdmin(name = "Test Admin") {
    const { email, password } = await signUp(name);
    const [row] = await db.update(users).set({ role: "admin" }).where(eq(users.email, email)).returning({ id: users.id });
    if (!row) throw new Error(`no user row for ${email}`);
    const cookie = await signIn(email, password);
    return { id: row.id, email, password, cookie, caller: callerFor({ cookie }) };
  }

  async function signIn(email: string, password: string) {
    const res = await auth.api.signInEmail({ body: { email, password }, asResponse: true });
    if (!res.ok) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`);
    return res.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; ");
  }

  const cleanup = async () => {
    await eventHub.close();
    await listener.close();
    await producers.close();
    redis.disconnect();
    await close();
    rmSync(storageDir, { recursive: true, force: true });
  };
  return { db, sql, redis, auth, deps, storage, storageDir, eventHub, producers, queuePrefix, listenerAppName, callerFor, signUp, signUpAdmin, signIn, cleanup };
}
