import { setTimeout as sleep } from "node:timers/promises";

import type { Job, JobState, Queue } from "bullmq";

/** Poll until the job is in one of `states`; throws with the last state seen after `timeoutMs`. */
export async function waitForJobState(
  queue: Queue,
  jobId: string,
  states: ReadonlyArray<JobState | "unknown">,
  timeoutMs = 10_000,
): Promise<Job> {
  const deadline = Date.now() + timeoutMs;
  let last: string = "missing";
  while (Date.now() < deadline) {
    const job = await queue.getJob(jobId);
    if (job) {
      last = await job.getState();
      // Re-read: the job may have moved on between getJob and getState.
      const fresh = await queue.getJob(jobId);
      if ((states as readonly string[]).includes(last) && fresh) return fresh;
    }
    await sleep(50);
  }
  throw new Error(`job ${jobId} did not reach ${states.join("/")} within ${timeoutMs} ms (last: ${last})`);
}
