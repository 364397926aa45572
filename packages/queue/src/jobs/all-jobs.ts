import { echoJob } from "./echo";
import { runGenerationJob } from "./run-generation";
import { sweepSessionsJob } from "./sweep";

/**
 * Every job definition a worker consumes. The worker's processor registry is typed from this list,
 * so adding a job here without a processor is a compile error. (`generationDeadLetterJob` is a
 * record nobody consumes, so it is not listed.)
 */
export const allJobs = [echoJob, runGenerationJob, sweepSessionsJob] as const;

export type AnyJobDefinition = (typeof allJobs)[number];
export type AnyJobName = AnyJobDefinition["name"];
/** Queues that currently have at least one job, i.e. the queues a worker must consume. */
export type QueueWithJobs = AnyJobDefinition["queue"];
export type JobsOnQueue<Q extends QueueWithJobs> = Extract<AnyJobDefinition, { queue: Q }>;
