import type { Job, JobsOptions } from "bullmq";

import type { JobDefinition, JobInput, JobPayload } from "./jobs/define";
import type { Producers } from "./producers";

/** Per-call options; anything else comes from the job definition's defaults. */
export type EnqueueOptions = Pick<JobsOptions, "jobId" | "delay" | "priority" | "attempts" | "backoff">;

/** Thrown before anything reaches Redis: the payload or job id is not acceptable. */
export class InvalidJobError extends Error {
  override readonly name = "InvalidJobError";
  constructor(
    message: string,
    readonly issues: readonly string[] = [],
  ) {
    super(message);
  }
}

/**
 * BullMQ treats a custom id as a deduplication key. It must not contain ":" (it is part of Redis
 * keys) nor be all digits (those collide with BullMQ's own incrementing ids).
 */
export function validateJobId(jobId: string): void {
  if (jobId.length === 0 || jobId.length > 200) {
    throw new InvalidJobError(`job id must be 1..200 characters, got ${jobId.length}`);
  }
  if (jobId.includes(":")) throw new InvalidJobError(`job id ${JSON.stringify(jobId)} must not contain ":"`);
  if (/^\d+$/.test(jobId)) throw new InvalidJobError(`job id ${JSON.stringify(jobId)} must not be all digits`);
}

/**
 * Validate `payload` with the job's schema and add it to the job's queue. With a `jobId`, adding a
 * job that already exists is a no-op that returns the existing job.
 */
export async function enqueue<D extends JobDefinition>(
  producers: Producers,
  definition: D,
  payload: JobInput<D>,
  options: EnqueueOptions = {},
): Promise<Job<JobPayload<D>>> {
  const [job] = await enqueueMany(producers, definition, [{ payload, options }]);
  if (!job) throw new Error(`${definition.name}: BullMQ returned no job`);
  return job;
}

/**
 * Validates every item first (one bad payload adds nothing), then adds them all in one round
 * trip (`addBulk`, a MULTI); each custom job id is still its own deduplication key.
 */
export async function enqueueMany<D extends JobDefinition>(
  producers: Producers,
  definition: D,
  items: ReadonlyArray<{ payload: JobInput<D>; options?: EnqueueOptions }>,
): Promise<Job<JobPayload<D>>[]> {
  const jobs = items.map(({ payload, options = {} }) => {
    const parsed = definition.schema.safeParse(payload);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`);
      throw new InvalidJobError(`invalid ${definition.name} payload: ${issues.join("; ")}`, issues);
    }
    if (options.jobId !== undefined) validateJobId(options.jobId);
    return { name: definition.name, data: parsed.data, opts: { ...definition.defaultOptions, ...options } };
  });
  if (jobs.length === 0) return [];
  const queue = producers.queue(definition.queue);
  await producers.ready(queue);
  const added = await queue.addBulk(jobs);
  return added as Job<JobPayload<D>>[];
}
