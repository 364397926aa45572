import type { Redis } from "ioredis";
import type { Sql } from "postgres";
import { z } from "zod";

import { readWorkerHeartbeats, waitForRedisReady } from "@spellcast/queue";

const componentSchema = z.object({
  ok: z.boolean(),
  latencyMs: z.number().optional(),
  error: z.string().optional(),
});

export const healthReportSchema = z.object({
  ok: z.boolean(),
  down: z.array(z.enum(["postgres", "redis", "worker"])),
  postgres: componentSchema,
  redis: componentSchema,
  worker: componentSchema.extend({ count: z.number().int() }),
  checkedAt: z.string(),
});
export type HealthReport = z.infer<typeof healthReportSchema>;

const CHECK_TIMEOUT_MS = 2_000;

/** Checks each dependency with a short timeout, so a dead one is named instead of hanging. */
export async function checkHealth(deps: { sql: Sql; redis: Redis; redisPrefix: string }): Promise<HealthReport> {
  const [postgres, redis, worker] = await Promise.all([
    probe(async () => {
      await deps.sql`select 1`;
    }),
    probe(async () => {
      // A fail-fast client refuses commands until its first connect completes.
      await waitForRedisReady(deps.redis, CHECK_TIMEOUT_MS);
      await deps.redis.ping();
    }),
    probe(async () => {
      await waitForRedisReady(deps.redis, CHECK_TIMEOUT_MS);
      const beats = await readWorkerHeartbeats(deps.redis, deps.redisPrefix);
      if (beats.length === 0) throw new Error("no worker heartbeat in the last 15 s");
      return beats.length;
    }),
  ]);
  const report = {
    postgres: postgres.status,
    redis: redis.status,
    worker: { ...worker.status, count: worker.value ?? 0 },
  };
  const down = (["postgres", "redis", "worker"] as const).filter((name) => !report[name].ok);
  return { ok: down.length === 0, down, ...report, checkedAt: new Date().toISOString() };
}

async function probe<T>(check: () => Promise<T>) {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    const value = await Promise.race([
      check(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
      }),
    ]);
    return { status: { ok: true, latencyMs: Math.round(performance.now() - started) }, value };
  } catch (err) {
    return { status: { ok: false, error: err instanceof Error ? err.message : String(err) }, value: undefined };
  } finally {
    clearTimeout(timer);
  }
}
