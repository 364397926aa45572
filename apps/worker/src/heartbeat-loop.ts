import { removeWorkerHeartbeat, writeWorkerHeartbeat } from "@spellcast/queue";
import type { WorkerHeartbeatInput } from "@spellcast/queue";
import type { Redis } from "ioredis";

import type { Logger } from "./logger";

export interface HeartbeatLoopOptions {
  redis: Redis;
  prefix: string;
  info: WorkerHeartbeatInput;
  intervalMs: number;
  ttlMs: number;
  logger: Logger;
}

export interface HeartbeatLoop {
  /** Stop refreshing and wait for a write in flight; the caller then removes the record. */
  stop(): Promise<void>;
  remove(): Promise<void>;
}

/**
 * Writes the heartbeat now and then every `intervalMs`. A chain of timeouts rather than an interval,
 * so during a Redis outage writes wait for each other instead of piling up.
 */
export async function startHeartbeatLoop(options: HeartbeatLoopOptions): Promise<HeartbeatLoop> {
  const { redis, prefix, info, intervalMs, ttlMs, logger } = options;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> = Promise.resolve();

  const beat = async () => {
    try {
      await writeWorkerHeartbeat(redis, prefix, info, ttlMs);
    } catch (err) {
      logger.warn({ err }, "heartbeat write failed");
    }
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      inFlight = beat().then(schedule);
    }, intervalMs);
  };

  // The first write must land before startWorker resolves: health checks may look right away.
  await writeWorkerHeartbeat(redis, prefix, info, ttlMs);
  schedule();

  return {
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await inFlight;
    },
    remove: () => removeWorkerHeartbeat(redis, prefix, info.workerId),
  };
}
