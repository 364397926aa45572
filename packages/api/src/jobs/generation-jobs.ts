import type { Redis } from "ioredis";

import type { EnqueueGenerationInput, Producers } from "@spellcast/queue";
import { enqueueGeneration, enqueueGenerations, generationJobId, publishCancel, QueueName } from "@spellcast/queue";

/**
 * What the generations router needs from the queue, behind one small interface: the router holds
 * no `Queue`, and tests can pass a real one built on a private Redis prefix.
 */
export interface GenerationJobs {
  /** Adds the session's job (id `gen_<sessionId>`); adding the same id again is a no-op in BullMQ. */
  enqueue(params: EnqueueGenerationInput): Promise<{ jobId: string }>;
  /** Many sessions' jobs in one round trip (a caption run's batch of first steps). */
  enqueueMany(params: readonly EnqueueGenerationInput[]): Promise<void>;
  /**
   * After a queued session was canceled in the database: removes its waiting job. A worker that took
   * the job in the meantime holds its lock (remove answers 0), so it is told to abort instead.
   */
  cancelQueued(sessionId: string): Promise<"removed" | "signalled">;
  /** After a running session was canceled in the database: tells every worker to abort its call. */
  cancelRunning(sessionId: string): Promise<void>;
}

export interface GenerationJobsOptions {
  producers: Producers;
  /** A connection that can PUBLISH (the cancel channel); its owner closes it. */
  publisher: Redis;
}

export function createGenerationJobs({ producers, publisher }: GenerationJobsOptions): GenerationJobs {
  const signal = (sessionId: string) => publishCancel(publisher, producers.prefix, sessionId);
  return {
    async enqueue(input) {
      // The same call the sweeper makes when it re-enqueues: job id gen_<sessionId>, the session's attempts.
      const job = await enqueueGeneration(producers, input);
      return { jobId: job.id ?? generationJobId(input.sessionId) };
    },
    async enqueueMany(inputs) {
      await enqueueGenerations(producers, inputs);
    },
    async cancelQueued(sessionId) {
      const queue = producers.queue(QueueName.generation);
      await producers.ready(queue);
      const removed = await queue.remove(generationJobId(sessionId));
      if (removed === 1) return "removed";
      await signal(sessionId);
      return "signalled";
    },
    cancelRunning: signal,
  };
}
