import { QueueName, echoJob, runGenerationJob, sweepSessionsJob } from "@spellcast/queue";
import type { JobsOnQueue, QueueWithJobs } from "@spellcast/queue";

import { processEcho } from "./echo";
import { processRunGeneration } from "./run-generation";
import { processSweep } from "./sweep";
import type { JobProcessor } from "./types";

/**
 * Job name → processor, grouped by queue. Typed from `allJobs` in @spellcast/queue: a job without a
 * processor, or a processor for an unknown job, is a compile error.
 */
export type ProcessorRegistry = {
  readonly [Q in QueueWithJobs]: { readonly [J in JobsOnQueue<Q> as J["name"]]: JobProcessor };
};

export const processors = {
  [QueueName.system]: {
    [echoJob.name]: processEcho,
  },
  [QueueName.generation]: {
    [runGenerationJob.name]: processRunGeneration,
  },
  [QueueName.maintenance]: {
    [sweepSessionsJob.name]: processSweep,
  },
} as const satisfies ProcessorRegistry;

/** The registry as plain entries, for code that builds one Worker per queue. */
export function registryEntries(
  registry: ProcessorRegistry,
): Array<[QueueName, Readonly<Record<string, JobProcessor>>]> {
  // Object.entries widens keys to string; the mapped type guarantees they are queue names.
  return Object.entries(registry) as Array<[QueueName, Readonly<Record<string, JobProcessor>>]>;
}
