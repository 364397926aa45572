import type { Redis } from "ioredis";

/**
 * Cancellation of running work crosses processes over Redis pub/sub: the web process publishes
 * the session id, every worker listens and aborts the provider call it is running for it. The
 * database has already settled the session (canceled + refund) before anything is published,
 * so a worker that misses the message only wastes a provider call; it is never charged.
 */
export const cancelChannel = (prefix: string) => `${prefix}:cancel-session`;

export async function publishCancel(redis: Redis, prefix: string, sessionId: string): Promise<void> {
  await redis.publish(cancelChannel(prefix), sessionId);
}
