import { removeWorkerHeartbeat, writeWorkerHeartbeat } from "@spellcast/queue";
import type { WorkerHeartbeatInput } from "@spellcast/queue";
import type { Redis } from "ioredis";

import type { Logger } from "./logger";
import { repeatEvery } from "./repeat-loop";

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

/** Writes the heartbeat now and then every `intervalMs` (see repeatEvery). */
export async function startHeartbeatLoop(options: HeartbeatLoopOptions): Promise<HeartbeatLoop> {
  const { redis, prefix, info, intervalMs, ttlMs, logger } = options;
  // The first write must land before startWorker resolves: health checks may look right away.
  await writeWorkerHeartbeat(redis, prefix, info, ttlMs);
  const loop = repeatEvery(intervalMs, async () => {
    try {
      await writeWorkerHeartbeat(redis, prefix, info, ttlMs);
    } catch (err) {
      logger.warn({ err }, "heartbeat write failed");
    }
  });
  return {
    stop: () => loop.stop(),
    remove: () => removeWorkerHeartbeat(redis, prefix, info.workerId),
  };
}
