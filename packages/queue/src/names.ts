/**
 * The only place queue names live: every Queue, Worker and QueueEvents takes its name from here,
 * so a typo can't create a queue nobody consumes.
 */
export const QueueName = {
  /** Provider work: one job per generation session (run-generation, later). */
  generation: "generation",
  /** Jobs that failed for good, kept for operators in Bull Board. */
  generationDlq: "generation-dlq",
  /** Sweeper and other repeatable housekeeping (later). */
  maintenance: "maintenance",
  /** Diagnostics such as `echo`, used by tests and health checks. */
  system: "system",
} as const;

export type QueueName = (typeof QueueName)[keyof typeof QueueName];

export const allQueueNames: readonly QueueName[] = Object.values(QueueName);
