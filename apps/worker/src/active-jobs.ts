import { WaitingError } from "bullmq";
import type { Job } from "bullmq";

import type { Logger } from "./logger";
import { jobKeyOf } from "./provider-slots";

interface ActiveJob {
  job: Job;
  token: string;
  controller: AbortController;
  release: (reason: Error) => void;
}

/**
 * The jobs this process is running, so shutdown can hand back the ones that outlive the grace
 * period: BullMQ's `close(true)` only abandons them (they stay active until their lock expires and
 * another worker's stalled check moves them, which also spends their one allowed stall).
 */
export interface ActiveJobs {
  /** Run `work` for `job`, racing it against a hand-back. */
  run<T>(job: Job, token: string | undefined, work: (signal: AbortSignal) => Promise<T>): Promise<T>;
  /** Ids of the jobs running now. */
  ids(): string[];
  /** Move every running job back to wait and abort its work; returns the ids moved. */
  handBackAll(): Promise<string[]>;
  /** The same for the jobs with these keys (`<queue>/<jobId>`) that are still running. */
  handBack(keys: readonly string[]): Promise<string[]>;
}

export function createActiveJobs(logger: Logger): ActiveJobs {
  const active = new Map<string, ActiveJob>();

  async function run<T>(job: Job, token: string | undefined, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    // BullMQ passes a lock token to every processor; without one (manual processing) there is
    // nothing to hand back with, so just run.
    if (token === undefined || job.id === undefined) return work(controller.signal);
    const key = jobKeyOf(job);
    const entry: ActiveJob = { job, token, controller, release: () => undefined };
    const handedBack = new Promise<never>((_, reject) => {
      entry.release = reject;
    });
    active.set(key, entry);
    const working = work(controller.signal);
    // Once handed back, the processor's own outcome is moot (the job is queued again); observing it
    // keeps its abort rejection from surfacing as unhandled.
    working.catch(() => undefined);
    try {
      return await Promise.race([working, handedBack]);
    } finally {
      active.delete(key);
    }
  }

  async function handBack(entry: ActiveJob): Promise<string | undefined> {
    const jobId = entry.job.id ?? "";
    let moved = false;
    try {
      // Removes our lock and puts the job at the head of wait, without spending an attempt.
      await entry.job.moveToWait(entry.token);
      moved = true;
    } catch (err) {
      logger.warn(
        { err, queue: entry.job.queueName, jobId },
        "could not hand job back; the stalled check will requeue it when its lock expires",
      );
    }
    entry.controller.abort(new Error("job handed back on shutdown"));
    // WaitingError tells BullMQ the job was moved out of active by us: it records no failure.
    entry.release(new WaitingError("handed back on shutdown"));
    return moved ? jobId : undefined;
  }

  async function handBackEntries(entries: ActiveJob[]): Promise<string[]> {
    const moved = await Promise.all(entries.map(handBack));
    return moved.filter((id): id is string => id !== undefined);
  }

  return {
    run,
    ids: () => [...active.values()].map((e) => e.job.id ?? ""),
    handBackAll: () => handBackEntries([...active.values()]),
    handBack: (keys) => handBackEntries(keys.flatMap((k) => active.get(k) ?? [])),
  };
}
