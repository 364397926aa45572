import "server-only";

import { QueueEvents } from "bullmq";
import type { Logger } from "pino";

import type { EventHub } from "@spellcast/core";
import { createRedisConnection, generationProgressSchema, QueueName } from "@spellcast/queue";

export interface ProgressRelay {
  /** Starts the one `QueueEvents` listener of this process; later calls do nothing. */
  start(): void;
  close(): Promise<void>;
}

/**
 * Live progress of running generations: one BullMQ `QueueEvents` per web process, started by
 * the first stream subscription (never at import, so `next build` connects to nothing). Each
 * `progress` event the worker reports is pushed, as an ephemeral item, to the owner's streams in
 * this process only; it is never stored nor replayed.
 */
export function createProgressRelay(options: {
  redisUrl: string;
  prefix: string;
  eventHub: EventHub;
  logger: Logger;
}): ProgressRelay {
  const { eventHub, logger } = options;
  let running: { events: QueueEvents; close: () => Promise<void> } | null = null;
  let closed = false;

  function start() {
    if (running || closed) return;
    const connection = createRedisConnection(options.redisUrl, "events");
    connection.on("error", (err) => logger.debug({ err }, "progress.redis.error"));
    const events = new QueueEvents(QueueName.generation, { connection, prefix: options.prefix });
    events.on("error", (err) => logger.warn({ err }, "progress.queue_events.error"));
    events.on("progress", ({ jobId, data }) => {
      const parsed = generationProgressSchema.safeParse(data);
      if (!parsed.success) {
        logger.debug({ jobId }, "progress.ignored");
        return;
      }
      const { userId, sessionId, percent, stage } = parsed.data;
      eventHub.publishEphemeral(userId, {
        type: "progress",
        subjectId: sessionId,
        progress: stage === undefined ? { percent } : { percent, stage },
      });
    });
    running = {
      events,
      close: async () => {
        await events.close().catch((err: unknown) => logger.warn({ err }, "progress.close.failed"));
        // A connection handed to BullMQ is not closed by it: its owner quits it.
        await connection.quit().catch(() => connection.disconnect());
      },
    };
  }

  return {
    start,
    async close() {
      closed = true;
      await running?.close();
      running = null;
    },
  };
}

/** The hub, with the relay started on the first subscription: progress only flows when watched. */
export function startingRelayOnSubscribe(hub: EventHub, relay: ProgressRelay): EventHub {
  return {
    subscribe(userId, wake, onEphemeral) {
      relay.start();
      return hub.subscribe(userId, wake, onEphemeral);
    },
    ready: () => hub.ready(),
    publishEphemeral: (userId, event) => hub.publishEphemeral(userId, event),
    get closed() {
      return hub.closed;
    },
    close: () => hub.close(),
    stats: () => hub.stats(),
  };
}
