/** What a test needs to reach the run's own database, Redis prefix and services. */
export function testEnv() {
  const databaseUrl = process.env.DATABASE_URL;
  const redisUrl = process.env.REDIS_URL;
  const redisPrefix = process.env.REDIS_PREFIX;
  if (!databaseUrl || !redisUrl || !redisPrefix) {
    throw new Error("test env missing: run tests through vitest (tooling/test/global-setup.ts)");
  }
  return { databaseUrl, redisUrl, redisPrefix };
}
