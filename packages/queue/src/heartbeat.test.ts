import { setTimeout as sleep } from "node:timers/promises";

import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { testEnv } from "../../../tooling/test/env";
import { createRedisConnection, waitForRedisReady } from "./connection";
import { readWorkerHeartbeats, removeWorkerHeartbeat, writeWorkerHeartbeat } from "./heartbeat";

const { redisUrl, redisPrefix } = testEnv();
const prefix = `${redisPrefix}_heartbeat`;
let redis: Redis;

const info = (workerId: string) => ({
  workerId,
  pid: 123,
  host: "test-host",
  queues: ["system"],
  startedAt: new Date().toISOString(),
});

beforeAll(async () => {
  // The producer role is what the web app's health check uses: it needs a ready connection.
  redis = createRedisConnection(redisUrl, "producer");
  await waitForRedisReady(redis, 5_000);
});

afterAll(async () => {
  await redis.quit();
});

describe("worker heartbeat", () => {
  it("lists a worker after it writes, and not after it is removed", async () => {
    await writeWorkerHeartbeat(redis, prefix, info("w-listed"));
    const live = await readWorkerHeartbeats(redis, prefix);
    expect(live.find((h) => h.workerId === "w-listed")).toMatchObject({ pid: 123, host: "test-host", queues: ["system"] });

    await removeWorkerHeartbeat(redis, prefix, "w-listed");
    expect((await readWorkerHeartbeats(redis, prefix)).map((h) => h.workerId)).not.toContain("w-listed");
  });

  it("drops a worker whose heartbeat was not refreshed within its TTL", async () => {
    await writeWorkerHeartbeat(redis, prefix, info("w-expiring"), 200);
    expect((await readWorkerHeartbeats(redis, prefix)).map((h) => h.workerId)).toContain("w-expiring");
    await sleep(300);
    expect((await readWorkerHeartbeats(redis, prefix)).map((h) => h.workerId)).not.toContain("w-expiring");
  });

  it("keeps workers of other prefixes apart", async () => {
    await writeWorkerHeartbeat(redis, `${prefix}_other`, info("w-elsewhere"));
    expect((await readWorkerHeartbeats(redis, prefix)).map((h) => h.workerId)).not.toContain("w-elsewhere");
    await removeWorkerHeartbeat(redis, `${prefix}_other`, "w-elsewhere");
  });
});
