import type { Database } from "@spellcast/db";
import type { JoyCaptionAdapter, OpenAiChatAdapter, SeedreamAdapter } from "@spellcast/providers";
import type { Producers } from "@spellcast/queue";
import type { Storage } from "@spellcast/storage";
import type { Job } from "bullmq";

import type { BackoffConfig } from "../backoff";
import type { CancelRegistry } from "../cancel-registry";
import type { WorkerEnv } from "../env";
import type { ImageReader } from "../image-reader";
import type { JobDepth } from "../job-depth";
import type { Logger } from "../logger";
import type { ProviderSlots } from "../provider-slots";
import type { SessionTransitions } from "../session-transitions";
import type { StepEnqueuer } from "../step-enqueuer";

/** Long-lived things the worker builds once and shares with every job. */
export interface WorkerDeps {
  env: WorkerEnv;
  db: Database;
  logger: Logger;
  storage: Storage;
  seedream: SeedreamAdapter;
  /** Spell steps: image → text (joycaption) and text → text (chatgpt). */
  joycaption: JoyCaptionAdapter;
  chat: OpenAiChatAdapter;
  /** Aborts the provider call of a session when the web cancels it. */
  cancels: CancelRegistry;
  /** Queues this process writes to: re-enqueue (sweeper), dead letters, job lookups. */
  producers: Producers;
  backoff: BackoffConfig;
  /** Mark running / complete, group-committed with the other jobs of this process. */
  transitions: SessionTransitions;
  /** Dataset images, looked up together with the other jobs' of this process. */
  images: ImageReader;
  /** Next steps' jobs, added together with the other jobs' of this process. */
  nextSteps: StepEnqueuer;
  /** At most WORKER_CONCURRENCY provider calls at once, however many jobs are in flight. */
  providerSlots: ProviderSlots;
  /** Sizes the jobs taken at once from each completed call's timings. */
  jobDepth: JobDepth;
}

export interface ProcessorDeps extends WorkerDeps {
  /** Child logger bound to this job's queue, name, id and attempt. */
  logger: Logger;
  /**
   * Aborted only when shutdown hands this job back to the queue (it did not finish within the
   * grace period): stop work, the job will run again elsewhere. Not aborted when shutdown starts.
   */
  signal: AbortSignal;
  /** The job's lock token (BullMQ's): to move the job to delayed without spending an attempt. */
  token?: string;
}

/**
 * One job's processor: parses `job.data` itself (data in Redis is untrusted), creates no clients.
 * Throw `UnrecoverableError` for failures a retry cannot fix; anything else is retried.
 */
export type JobProcessor = (job: Job, deps: ProcessorDeps) => Promise<unknown>;
