import { Queue } from "bullmq";
import type { Redis } from "ioredis";

import type { QueueConfig } from "./connection";
import { createRedisConnection } from "./connection";
import type { QueueName } from "./names";

export interface Producers {
  readonly prefix: string;
  /** The queue for `name`, created on first use; every queue shares one producer connection. */
  queue(name: QueueName): Queue;
  /** Closes the queues created so far and their connection. Safe to call more than once. */
  close(): Promise<void>;
}

/**
 * Lazily created producer queues. Nothing connects until the first `queue()` call, so importing or
 * constructing this during `next build` opens no sockets.
 */
export function createProducers(config: QueueConfig): Producers {
  assertPrefix(config.prefix);
  const queues = new Map<QueueName, Queue>();
  let connection: Redis | undefined;
  let closing: Promise<void> | undefined;

  function queue(name: QueueName): Queue {
    if (closing) throw new Error("producers are closed");
    const existing = queues.get(name);
    if (existing) return existing;
    connection ??= createRedisConnection(config.redisUrl, "producer");
    const created = new Queue(name, { connection, prefix: config.prefix });
    queues.set(name, created);
    return created;
  }

  async function closeAll(): Promise<void> {
    await Promise.allSettled([...queues.values()].map((q) => q.close()));
    // A shared instance passed to BullMQ is not closed by it: the owner quits it.
    if (connection) await connection.quit().catch(() => connection?.disconnect());
  }

  return {
    prefix: config.prefix,
    queue,
    close: () => (closing ??= closeAll()),
  };
}

export function assertPrefix(prefix: string): void {
  // BullMQ builds keys as `<prefix>:<queue>:…`; an empty or colon-bearing prefix would mix key spaces.
  if (!/^[A-Za-z0-9_.-]+$/.test(prefix)) {
    throw new Error(`invalid queue prefix ${JSON.stringify(prefix)}: use letters, digits, "_", "-" or "."`);
  }
}
