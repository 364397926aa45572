import "server-only";

import { Redis } from "ioredis";
import pino from "pino";

import type { ApiDeps } from "@spellcast/api";
import { checkHealth, createGenerationJobs } from "@spellcast/api";
import { createAuth } from "@spellcast/auth";
import { createEventHub, grantStartingCredits } from "@spellcast/core";
import { createDb } from "@spellcast/db";
import { createProducers } from "@spellcast/queue";
import { createLocalStorage } from "@spellcast/storage";

import { env } from "~/env";

import { createProgressRelay, startingRelayOnSubscribe } from "./progress-relay";

function buildServices() {
  const config = env();
  const logger = pino({ level: config.LOG_LEVEL, base: { app: "web" } });
  const { db, sql, close } = createDb(config.DATABASE_URL, { max: 20, appName: "spellcast-web" });
  // Health checks and reads share one connection that fails fast instead of queueing commands
  // while Redis is down, so /api/health answers 503 promptly.
  const redis = new Redis(config.REDIS_URL, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    retryStrategy: (times) => Math.min(times * 100, 1_000),
  });
  redis.on("error", (err) => logger.debug({ err }, "redis.connection.error"));
  redis.connect().catch((err: unknown) => logger.warn({ err }, "redis.connect.failed"));

  const auth = createAuth({
    db,
    baseURL: config.BETTER_AUTH_URL,
    secret: config.BETTER_AUTH_SECRET,
    trustedOrigins: config.TRUSTED_ORIGINS,
    rateLimit: config.AUTH_RATE_LIMIT,
    // The welcome grant (idempotent per user). A failure must not fail the sign-up, whose user row
    // is already committed: it is logged, and re-running the grant later is safe.
    onUserCreated: async (user) => {
      await grantStartingCredits(db, { userId: user.id, amount: config.STARTING_CREDITS }).catch((err: unknown) => {
        logger.error({ err, userId: user.id }, "credits.starting_grant.failed");
      });
    },
  });
  // One LISTEN connection per process, on its own postgres-js instance so it shows up (and can be
  // found) as "spellcast-web-listen"; nothing connects until the first subscription.
  const listener = createDb(config.DATABASE_URL, { max: 1, appName: "spellcast-web-listen" });
  const hub = createEventHub({ sql: listener.sql, logger });
  // BullMQ progress → the owner's streams; its QueueEvents connects on the first subscription.
  const progressRelay = createProgressRelay({ redisUrl: config.REDIS_URL, prefix: config.REDIS_PREFIX, eventHub: hub, logger });
  const eventHub = startingRelayOnSubscribe(hub, progressRelay);
  // Queues connect on the first enqueue and fail fast while Redis is down.
  const producers = createProducers(
    { redisUrl: config.REDIS_URL, prefix: config.REDIS_PREFIX },
    { onError: (err) => logger.debug({ err }, "queue.producer.error") },
  );
  const storage = createLocalStorage(config.STORAGE_DIR);
  const apiDeps: ApiDeps = {
    db,
    auth,
    logger,
    checkHealth: () => checkHealth({ sql, redis, redisPrefix: config.REDIS_PREFIX }),
    eventHub,
    storage,
    generationJobs: createGenerationJobs({ producers, publisher: redis }),
    generationConfig: { maxAttempts: config.MAX_ATTEMPTS, holdMs: config.GENERATION_HOLD_MS },
  };
  const shutdown = async () => {
    // Ends open streams with a 503 first, so clients reconnect (elsewhere) and resume.
    await eventHub.close();
    await progressRelay.close();
    await producers.close();
    await listener.close();
    redis.disconnect();
    await close();
  };
  // Streams end with a 503 (clients resume elsewhere); QueueEvents and queues close with them.
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => void shutdown().catch((err: unknown) => logger.warn({ err }, "web.shutdown.failed")));
  }
  return { config, logger, db, sql, redis, auth, eventHub, storage, apiDeps, shutdown };
}

export type Services = ReturnType<typeof buildServices>;

const globalForServices = globalThis as unknown as { spellcastServices?: Services };

/** Built on first use (never at import, so `next build` connects to nothing); one per process. */
export function services(): Services {
  globalForServices.spellcastServices ??= buildServices();
  return globalForServices.spellcastServices;
}
