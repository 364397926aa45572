import { UnrecoverableError } from "bullmq";
import type { BackoffOptions, JobsOptions } from "bullmq";
import type { z } from "zod";

import type { QueueName } from "../names";

/** Retry policy is part of a job's definition, never an accident of BullMQ's defaults (1 attempt). */
export type JobDefaultOptions = Omit<JobsOptions, "attempts" | "backoff" | "jobId"> & {
  attempts: number;
  backoff: BackoffOptions;
};

export interface JobDefinition<
  TName extends string = string,
  TQueue extends QueueName = QueueName,
  TSchema extends z.ZodType = z.ZodType,
> {
  readonly name: TName;
  readonly queue: TQueue;
  readonly schema: TSchema;
  readonly defaultOptions: JobDefaultOptions;
}

/** The payload a producer passes (before schema defaults/transforms). */
export type JobInput<D extends JobDefinition> = z.input<D["schema"]>;
/** The payload a processor receives after parsing. */
export type JobPayload<D extends JobDefinition> = z.output<D["schema"]>;

export function defineJob<TName extends string, TQueue extends QueueName, TSchema extends z.ZodType>(
  definition: JobDefinition<TName, TQueue, TSchema>,
): JobDefinition<TName, TQueue, TSchema> {
  return Object.freeze(definition);
}

/**
 * Parse a job's data inside a processor. Bad data will be bad on every attempt, so it fails the
 * job at once (UnrecoverableError skips the remaining attempts) instead of retrying.
 */
export function parseJobPayload<S extends z.ZodType>(
  definition: Pick<JobDefinition<string, QueueName, S>, "name" | "schema">,
  data: unknown,
): z.output<S> {
  const result = definition.schema.safeParse(data);
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
    throw new UnrecoverableError(`invalid ${definition.name} payload: ${issues}`);
  }
  return result.data;
}
