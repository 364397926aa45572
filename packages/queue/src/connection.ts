import { Redis } from "ioredis";
import type { RedisOptions } from "ioredis";

/** What every queue client needs: where Redis is and the key prefix that isolates this deployment or test run. */
export interface QueueConfig {
  redisUrl: string;
  prefix: string;
}

/**
 * worker: BullMQ workers (and anything that must ride out an outage, like the heartbeat).
 * producer: request handlers that enqueue; they must fail fast.
 * events: QueueEvents listeners (blocking XREAD).
 */
export type ConnectionRole = "worker" | "producer" | "events";

/** Longest wait between reconnect attempts. */
export const MAX_RECONNECT_DELAY_MS = 1_000;

/**
 * Bounded reconnect backoff. With ioredis/BullMQ defaults the delay grows to 20 s, so a worker came
 * back up to 18 s after Redis did (STACK.md); capping it at 1 s brought that to ~50 ms.
 */
export function reconnectDelay(attempt: number): number {
  return Math.min(50 * 2 ** Math.max(0, attempt - 1), MAX_RECONNECT_DELAY_MS);
}

export function connectionOptionsFor(role: ConnectionRole): RedisOptions {
  const common: RedisOptions = { retryStrategy: reconnectDelay, connectionName: `spellcast-${role}` };
  if (role === "producer") {
    // Reject commands while disconnected instead of queueing them: the caller (a request handler)
    // must tell the user now. A command timeout alone would still add the job later (a ghost job).
    return { ...common, enableOfflineQueue: false };
  }
  // Workers and QueueEvents wait out outages; without `null` a job that finished during an outage
  // ended failed with MaxRetriesPerRequestError (STACK.md).
  return { ...common, maxRetriesPerRequest: null };
}

/** A new ioredis client configured for `role`. The caller owns it and must `quit()` it. */
export function createRedisConnection(url: string, role: ConnectionRole): Redis {
  return new Redis(url, connectionOptionsFor(role));
}

/**
 * Resolve once `redis` can take commands; reject after `timeoutMs`. A producer-role client rejects
 * commands sent before its first connect completes, so a caller that uses one right after creating
 * it (a health check, say) waits here first.
 */
export async function waitForRedisReady(redis: Redis, timeoutMs: number): Promise<void> {
  if (redis.status === "ready") return;
  let onReady: (() => void) | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      onReady = resolve;
      redis.once("ready", onReady);
      timer = setTimeout(() => reject(new Error(`Redis not ready within ${timeoutMs} ms`)), timeoutMs);
    });
  } finally {
    clearTimeout(timer);
    if (onReady) redis.off("ready", onReady);
  }
}
