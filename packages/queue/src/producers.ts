import { Queue } from "bullmq";
import type { Redis } from "ioredis";

import type { QueueConfig } from "./connection";
import { createRedisConnection } from "./connection";
import type { QueueName } from "./names";

export interface ProducerOptions {
  /**
   * How long an enqueue waits for a connection that is not ready yet (first use, or Redis down)
   * before rejecting. Once connected, a lost connection rejects at once (offline queue disabled).
   */
  readyTimeoutMs?: number;
  /**
   * Connection errors, e.g. to log them. Each failed enqueue also rejects with its own error, so the
   * default ignores them rather than printing a stack per reconnect attempt.
   */
  onError?: (err: Error) => void;
}

/** Redis is unreachable: nothing was sent, so the caller can tell the user and charge nothing. */
export class QueueUnavailableError extends Error {
  override readonly name = "QueueUnavailableError";
}

export interface Producers {
  readonly prefix: string;
  /** Resolves when `queue` can take commands; rejects with QueueUnavailableError after readyTimeoutMs. */
  ready(queue: Queue): Promise<void>;
  /** The queue for `name`, created on first use; every queue shares one producer connection. */
  queue(name: QueueName): Queue;
  /** Closes the queues created so far and their connection. Safe to call more than once. */
  close(): Promise<void>;
}

/**
 * Lazily created producer queues. Nothing connects until the first `queue()` call, so importing or
 * constructing this during `next build` opens no sockets.
 */
export function createProducers(config: QueueConfig, options: ProducerOptions = {}): Producers {
  assertPrefix(config.prefix);
  const readyTimeoutMs = options.readyTimeoutMs ?? 2_000;
  const onError = options.onError ?? (() => undefined);
  const queues = new Map<QueueName, Queue>();
  let connection: Redis | undefined;
  let closing: Promise<void> | undefined;

  function queue(name: QueueName): Queue {
    if (closing) throw new Error("producers are closed");
    const existing = queues.get(name);
    if (existing) return existing;
    if (!connection) {
      connection = createRedisConnection(config.redisUrl, "producer");
      connection.on("error", onError);
    }
    const created = new Queue(name, { connection, prefix: config.prefix });
    // Without a listener BullMQ prints every connection error to stderr.
    created.on("error", onError);
    queues.set(name, created);
    return created;
  }

  async function closeAll(): Promise<void> {
    await Promise.allSettled([...queues.values()].map((q) => q.close()));
    // A shared instance passed to BullMQ is not closed by it: the owner quits it.
    if (connection) await connection.quit().catch(() => connection?.disconnect());
  }

  async function ready(target: Queue): Promise<void> {
    // BullMQ waits for "ready" without limit, even with the offline queue disabled: a request
    // made while Redis is down at startup would hang. Nothing is sent before this resolves.
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new QueueUnavailableError(`queue "${target.name}": Redis not reachable within ${readyTimeoutMs} ms`)),
        readyTimeoutMs,
      );
    });
    try {
      await Promise.race([target.waitUntilReady(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    prefix: config.prefix,
    ready,
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
