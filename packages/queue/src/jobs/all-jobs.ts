import { echoJob } from "./echo";

/**
 * Every job definition. The worker's processor registry is typed from this list, so adding a job
 * here without a processor is a compile error.
 */
export const allJobs = [echoJob] as const;

export type AnyJobDefinition = (typeof allJobs)[number];
export type AnyJobName = AnyJobDefinition["name"];
/** Queues that currently have at least one job, i.e. the queues a worker must consume. */
export type QueueWithJobs = AnyJobDefinition["queue"];
export type JobsOnQueue<Q extends QueueWithJobs> = Extract<AnyJobDefinition, { queue: Q }>;
