import type { Producers } from "@spellcast/queue";
import type { Worker } from "bullmq";
import type { Redis } from "ioredis";

import type { ActiveJobs } from "./active-jobs";
import type { CancelSubscriber } from "./cancel-registry";
import type { WorkerEnv } from "./env";
import type { HeartbeatLoop } from "./heartbeat-loop";
import type { Logger } from "./logger";
import type { FailureHandler } from "./on-failed";
import type { ProviderSlots } from "./provider-slots";
import type { RepeatLoop } from "./repeat-loop";
import { settleWithin } from "./settle-within";

// Budgets after the grace period; with SHUTDOWN_TIMEOUT_MS ≤ 25 s the whole stop stays under 30 s.
const HAND_BACK_MS = 1_500;
const CLOSE_AFTER_HAND_BACK_MS = 1_500;
const DB_CLOSE_MS = 500;
const REDIS_QUIT_MS = 500;
const MIN_FAILURE_DRAIN_MS = 100;
const SIDE_CLIENTS_CLOSE_MS = 300;
const HEARTBEAT_REMOVE_MS = 1_000;
const LEASES_STOP_MS = 300;

export interface ShutdownReport {
  reason: string;
  /**
   * Jobs moved back to wait for another worker: those whose provider call had not started when
   * shutdown began, then those still running at the end of the grace period.
   */
  handedBack: string[];
  /** False when some step ran out of time and its connection was dropped instead. */
  clean: boolean;
  durationMs: number;
}

export interface StoppableWorker {
  workers: Worker[];
  activeJobs: ActiveJobs;
  providerSlots: ProviderSlots;
  heartbeat: HeartbeatLoop;
  /** Renews the running sessions' leases until the last job has ended or been handed back. */
  leases: RepeatLoop;
  connection: Redis;
  closeDb: () => Promise<void>;
  /** Final-failure settlements in flight (they need the database and the producers). */
  failures: FailureHandler;
  cancelSubscriber: CancelSubscriber;
  producers: Producers;
  env: WorkerEnv;
  logger: Logger;
}

/**
 * Order: stop advertising, stop fetching, hand back the jobs still waiting for a provider slot
 * and those that reach one later (another worker can start them now), let running calls finish
 * (up to the grace period), hand back what is still running, let failure settlements finish,
 * stop renewing leases, close the cancel subscriber and the producer queues, then Postgres and
 * Redis. Every step is time-boxed.
 */
export async function stopWorker(w: StoppableWorker, reason: string): Promise<ShutdownReport> {
  const startedAt = Date.now();
  const graceEndsAt = startedAt + w.env.SHUTDOWN_TIMEOUT_MS;
  const steps: boolean[] = [];
  w.logger.info({ reason, running: w.activeJobs.ids(), graceMs: w.env.SHUTDOWN_TIMEOUT_MS }, "worker stopping");

  // Health checks should stop counting us as soon as we stop taking jobs.
  await w.heartbeat.stop();
  steps.push(await settleWithin(w.heartbeat.remove(), HEARTBEAT_REMOVE_MS));

  // close() (not forced) stops fetching at once and resolves when running jobs have finished.
  const closing = Promise.allSettled(w.workers.map((worker) => worker.close()));
  const handedBack: string[] = [];
  const noteHandedBack = (ids: string[]) => {
    handedBack.push(...ids);
    if (ids.length > 0) w.logger.info({ jobIds: ids }, "handed back jobs whose provider call had not started");
  };
  // Jobs still marking running reach the slots later: they go back as they arrive.
  const late: Array<Promise<void>> = [];
  const waiting = w.providerSlots.close((key) => late.push(w.activeJobs.handBack([key]).then(noteHandedBack)));
  const unstarted = w.activeJobs.handBack(waiting).then(noteHandedBack);
  unstarted.catch(() => undefined);
  steps.push(await settleWithin(unstarted, HAND_BACK_MS));
  if (!(await settleWithin(closing, graceEndsAt - Date.now()))) {
    w.logger.warn({ running: w.activeJobs.ids() }, "grace period over: handing running jobs back to the queue");
    const handing = w.activeJobs.handBackAll();
    handing.then((ids) => handedBack.push(...ids)).catch(() => undefined);
    steps.push(await settleWithin(handing, HAND_BACK_MS));
    steps.push(await settleWithin(closing, CLOSE_AFTER_HAND_BACK_MS));
  }

  steps.push(await settleWithin(Promise.all(late), HAND_BACK_MS));
  await w.failures.drain(Math.max(MIN_FAILURE_DRAIN_MS, graceEndsAt - Date.now()));
  steps.push(await settleWithin(w.leases.stop(), LEASES_STOP_MS));
  steps.push(await settleWithin(Promise.all([w.cancelSubscriber.close(), w.producers.close()]), SIDE_CLIENTS_CLOSE_MS));
  steps.push(await settleWithin(w.closeDb(), DB_CLOSE_MS));
  const quit = await settleWithin(w.connection.quit(), REDIS_QUIT_MS);
  if (!quit) w.connection.disconnect();
  steps.push(quit);

  const report = { reason, handedBack, clean: steps.every(Boolean), durationMs: Date.now() - startedAt };
  w.logger.info(report, "worker stopped");
  return report;
}
