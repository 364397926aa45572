import { randomBytes } from "node:crypto";

import { dropDatabase, migrateDatabase } from "../../packages/db/src/migrate";
import { deleteKeysWithPrefix } from "./redis-keys";

/**
 * One database and one Redis key prefix per test run, so concurrent runs never collide.
 * The values travel to test workers through process.env (workers fork after this runs).
 */
export default async function setup() {
  const runId = `${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
  const base = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/spellcast";
  const ownsDatabase = !process.env.SPELLCAST_TEST_DATABASE_URL;
  const url = new URL(base);
  url.pathname = `/spellcast_test_${runId}`;
  const databaseUrl = process.env.SPELLCAST_TEST_DATABASE_URL ?? url.toString();
  const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
  const redisPrefix = process.env.SPELLCAST_TEST_REDIS_PREFIX ?? `sctest_${runId}`;

  await migrateDatabase(databaseUrl);
  process.env.DATABASE_URL = databaseUrl;
  process.env.REDIS_URL = redisUrl;
  process.env.REDIS_PREFIX = redisPrefix;

  return async () => {
    if (ownsDatabase) await dropDatabase(databaseUrl);
    await deleteKeysWithPrefix(redisUrl, redisPrefix);
  };
}
