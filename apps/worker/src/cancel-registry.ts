import { cancelChannel, createRedisConnection } from "@spellcast/queue";
import type { Redis } from "ioredis";

import type { Logger } from "./logger";

/** Abort controllers of the sessions this process is running, by session id. */
export interface CancelRegistry {
  /**
   * Track a running session. `signal` aborts when a cancel for it arrives, or when `parent` (the
   * worker's shutdown signal) does: one signal for the step's whole work, rather than a second
   * one linking the two at every step; `canceled()` tells a cancel apart. Call `release` when done.
   */
  register(sessionId: string, parent?: AbortSignal): RegisteredSession;
  /** Abort the running work of `sessionId`; false when this process runs nothing for it. */
  abort(sessionId: string): boolean;
  /** The sessions registered now. */
  sessionIds(): string[];
}

export interface RegisteredSession {
  signal: AbortSignal;
  /** True once a cancel for the session arrived (whatever else aborted the signal first). */
  canceled(): boolean;
  release(): void;
}

interface Entry {
  controller: AbortController;
  canceled: boolean;
}

export function createCancelRegistry(): CancelRegistry {
  const running = new Map<string, Set<Entry>>();
  return {
    register(sessionId, parent) {
      const entry: Entry = { controller: new AbortController(), canceled: false };
      const onParentAbort = () => entry.controller.abort(parent?.reason);
      if (parent?.aborted) onParentAbort();
      else parent?.addEventListener("abort", onParentAbort, { once: true });
      const set = running.get(sessionId) ?? new Set<Entry>();
      set.add(entry);
      running.set(sessionId, set);
      return {
        signal: entry.controller.signal,
        canceled: () => entry.canceled,
        release: () => {
          parent?.removeEventListener("abort", onParentAbort);
          set.delete(entry);
          if (set.size === 0 && running.get(sessionId) === set) running.delete(sessionId);
        },
      };
    },
    abort(sessionId) {
      const set = running.get(sessionId);
      if (!set) return false;
      for (const entry of set) {
        entry.canceled = true;
        entry.controller.abort(new Error(`session ${sessionId} canceled`));
      }
      return true;
    },
    sessionIds: () => [...running.keys()],
  };
}

export interface CancelSubscriber {
  close(): Promise<void>;
}

/**
 * One subscriber connection per process on the deployment's cancel channel. ioredis re-subscribes
 * after a reconnect; a message missed meanwhile costs one provider call, never a charge (the
 * session is already canceled in the database, so completion finds it terminal).
 */
export async function startCancelSubscriber(options: {
  redisUrl: string;
  prefix: string;
  registry: CancelRegistry;
  logger: Logger;
}): Promise<CancelSubscriber> {
  const { registry, logger } = options;
  const channel = cancelChannel(options.prefix);
  const redis: Redis = createRedisConnection(options.redisUrl, "worker");
  redis.on("error", (err: Error) => logger.warn({ err }, "cancel subscriber connection error"));
  redis.on("message", (from: string, sessionId: string) => {
    if (from !== channel) return;
    const aborted = registry.abort(sessionId);
    logger.info({ sessionId, aborted }, "session.cancel.received");
  });
  try {
    await redis.subscribe(channel);
  } catch (err) {
    redis.disconnect();
    throw err;
  }
  return {
    close: async () => {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
