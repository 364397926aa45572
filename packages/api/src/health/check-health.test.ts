import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";

import { createDb } from "@spellcast/db";

import { testEnv } from "../../../../tooling/test/env";
import { checkHealth } from "./check-health";
import { healthResponse } from "./health-response";

const { databaseUrl, redisPrefix } = testEnv();
const { sql, close } = createDb(databaseUrl, { max: 1 });
// Port 1 on loopback: nothing listens there, so connections are refused at once.
const deadRedis = new Redis("redis://127.0.0.1:1", {
  lazyConnect: true,
  enableOfflineQueue: false,
  maxRetriesPerRequest: 0,
  retryStrategy: () => null,
});
deadRedis.on("error", () => undefined);

afterAll(async () => {
  deadRedis.disconnect();
  await close();
});

describe("/api/health", () => {
  it("answers 503 naming Redis when the Redis URL points at a closed port", async () => {
    const report = await checkHealth({ sql, redis: deadRedis, redisPrefix });
    expect(report.ok).toBe(false);
    expect(report.down).toContain("redis");
    expect(report.down).not.toContain("postgres");
    expect(report.postgres.ok).toBe(true);
    expect(report.redis.error).toBeTruthy();

    const res = healthResponse(report);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ ok: false, down: expect.arrayContaining(["redis"]) });
  });
});
