import { z } from "zod";

import { QueueName } from "../names";
import { defineJob } from "./define";

/** The scheduled sweep carries no data: it looks at everything due at the time it runs. */
export const sweepSessionsPayloadSchema = z.object({}).strict();
export type SweepSessionsPayload = z.infer<typeof sweepSessionsPayloadSchema>;

/** Job scheduler id: every worker upserts the same one, so there is one schedule per deployment. */
export const SWEEP_SCHEDULER_ID = "sweep-sessions";

/**
 * The safety net for generation sessions (stuck `running`, `queued` without a job, failed jobs
 * never settled, expired holds, failed refunds). Repeatable on the maintenance queue.
 */
export const sweepSessionsJob = defineJob({
  name: "sweep-sessions",
  queue: QueueName.maintenance,
  schema: sweepSessionsPayloadSchema,
  defaultOptions: {
    // The next tick is the retry: a failed sweep is not worth piling up behind the schedule.
    attempts: 1,
    backoff: { type: "fixed", delay: 0 },
    removeOnComplete: { count: 100 },
    removeOnFail: { count: 500 },
  },
});
