import { UnrecoverableError } from "bullmq";
import type { Job, Worker } from "bullmq";

import type { Logger } from "./logger";

/**
 * A failure is final when BullMQ will not retry it: an UnrecoverableError, or the last attempt.
 * (Worker `failed` fires once per attempt; `attemptsMade` already counts this one.)
 */
export function isFinalFailure(job: Job | undefined, err: Error): boolean {
  if (err instanceof UnrecoverableError || err.name === "UnrecoverableError") return true;
  if (job === undefined) return true;
  return job.attemptsMade >= (job.opts.attempts ?? 1);
}

/** Log everything a Worker reports. A Worker without an `error` listener would crash the process. */
export function attachWorkerListeners(worker: Worker, logger: Logger): void {
  const queue = worker.name;
  worker.on("error", (err) => logger.error({ err, queue }, "worker error"));
  worker.on("failed", (job, err) => {
    const final = isFinalFailure(job, err);
    const fields = {
      err,
      queue,
      job: job?.name,
      jobId: job?.id,
      attemptsMade: job?.attemptsMade,
      attempts: job?.opts.attempts,
      final,
    };
    if (final) logger.error(fields, "job failed for good");
    else logger.warn(fields, "job attempt failed; it will be retried");
  });
  worker.on("stalled", (jobId, prev) => logger.warn({ queue, jobId, prev }, "job stalled; moved back to wait"));
  // A scheduled job (the sweep, every 30 s) logs its work itself when it did any: its completions
  // alone would bury the lines an engineer follows.
  worker.on("completed", (job) =>
    logger[job.repeatJobKey ? "debug" : "info"]({ queue, job: job.name, jobId: job.id, attemptsMade: job.attemptsMade }, "job completed"),
  );
}
