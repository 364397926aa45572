import type { Redis } from "ioredis";
import { z } from "zod";

/** A worker that has not refreshed its heartbeat for this long is considered gone. */
export const HEARTBEAT_TTL_MS = 15_000;
/** How often a live worker refreshes it: three misses in a row before it expires. */
export const HEARTBEAT_INTERVAL_MS = 5_000;

export const workerHeartbeatSchema = z.object({
  workerId: z.string().min(1),
  pid: z.number().int(),
  host: z.string(),
  queues: z.array(z.string()),
  /** ISO timestamps, so the record is the same in Redis, in JSON responses and in TS. */
  startedAt: z.string(),
  beatAt: z.string(),
});

export type WorkerHeartbeat = z.infer<typeof workerHeartbeatSchema>;
export type WorkerHeartbeatInput = Omit<WorkerHeartbeat, "beatAt">;

// One key per worker (expires on its own) plus an index sorted by expiry, so readers need no SCAN.
// "heartbeat" is not a queue name, so these never collide with BullMQ's `<prefix>:<queue>:…` keys.
const indexKey = (prefix: string) => `${prefix}:heartbeat:workers`;
const workerKey = (prefix: string, workerId: string) => `${prefix}:heartbeat:worker:${workerId}`;

export async function writeWorkerHeartbeat(
  redis: Redis,
  prefix: string,
  info: WorkerHeartbeatInput,
  ttlMs: number = HEARTBEAT_TTL_MS,
): Promise<void> {
  const now = Date.now();
  const record: WorkerHeartbeat = { ...info, beatAt: new Date(now).toISOString() };
  await redis
    .multi()
    .set(workerKey(prefix, info.workerId), JSON.stringify(record), "PX", ttlMs)
    .zadd(indexKey(prefix), now + ttlMs, info.workerId)
    // Prune workers that died without cleaning up, so the index stays small.
    .zremrangebyscore(indexKey(prefix), "-inf", now)
    .exec();
}

/** Workers whose heartbeat has not expired, oldest first. */
export async function readWorkerHeartbeats(redis: Redis, prefix: string): Promise<WorkerHeartbeat[]> {
  const ids = await redis.zrangebyscore(indexKey(prefix), `(${Date.now()}`, "+inf");
  if (ids.length === 0) return [];
  const raws = await redis.mget(ids.map((id) => workerKey(prefix, id)));
  const live: WorkerHeartbeat[] = [];
  for (const raw of raws) {
    if (raw === null) continue;
    const parsed = workerHeartbeatSchema.safeParse(safeJson(raw));
    if (parsed.success) live.push(parsed.data);
  }
  return live.sort((a, b) => a.startedAt.localeCompare(b.startedAt));
}

/** Called on clean shutdown so health checks stop counting the worker at once, not after the TTL. */
export async function removeWorkerHeartbeat(redis: Redis, prefix: string, workerId: string): Promise<void> {
  await redis.multi().del(workerKey(prefix, workerId)).zrem(indexKey(prefix), workerId).exec();
}

function safeJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}
