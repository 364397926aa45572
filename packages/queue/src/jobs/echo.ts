import { z } from "zod";

import { QueueName } from "../names";
import { defineJob } from "./define";

export const echoPayloadSchema = z.object({
  message: z.string().max(10_000),
  /** How long the processor waits before answering: lets tests hold a job active. */
  delayMs: z.number().int().min(0).max(60_000).optional(),
  /** Fail this many attempts before succeeding: lets tests exercise retries. */
  failTimes: z.number().int().min(0).max(100).optional(),
});

export type EchoPayload = z.infer<typeof echoPayloadSchema>;

export interface EchoResult {
  echoed: string;
}

/** Diagnostics job on the `system` queue: proves a worker takes, retries and completes jobs. */
export const echoJob = defineJob({
  name: "echo",
  queue: QueueName.system,
  schema: echoPayloadSchema,
  defaultOptions: {
    attempts: 3,
    // Short and fixed: echo has no remote dependency to spare, and retry tests stay fast.
    backoff: { type: "fixed", delay: 200 },
    removeOnComplete: { age: 3_600, count: 1_000 },
    removeOnFail: { age: 24 * 3_600, count: 1_000 },
  },
});
