import { randomBytes } from "node:crypto";
import { hostname } from "node:os";

import { createDb } from "@spellcast/db";
import { createJoyCaptionAdapter, createOpenAiChatAdapter, createSeedreamAdapter } from "@spellcast/providers";
import {
  HEARTBEAT_INTERVAL_MS,
  HEARTBEAT_TTL_MS,
  QueueName,
  SWEEP_SCHEDULER_ID,
  createProducers,
  createRedisConnection,
  sessionAttemptsOf,
  sweepSessionsJob,
} from "@spellcast/queue";
import type { Producers } from "@spellcast/queue";
import { createLocalStorage } from "@spellcast/storage";
import { UnrecoverableError, Worker } from "bullmq";

import { createActiveJobs } from "./active-jobs";
import { createBackoffStrategy } from "./backoff";
import { createCancelRegistry, startCancelSubscriber } from "./cancel-registry";
import type { CancelSubscriber } from "./cancel-registry";
import type { WorkerEnv } from "./env";
import { startHeartbeatLoop } from "./heartbeat-loop";
import type { HeartbeatLoop } from "./heartbeat-loop";
import { attachWorkerListeners } from "./listeners";
import { createLogger } from "./logger";
import type { Logger } from "./logger";
import { createFailureHandler } from "./on-failed";
import { processors, registryEntries } from "./processors";
import type { ProcessorRegistry } from "./processors";
import type { JobProcessor, WorkerDeps } from "./processors/types";
import { createImageReader } from "./image-reader";
import { createJobDepth } from "./job-depth";
import { startLeaseLoop } from "./lease-loop";
import { createProviderSlots } from "./provider-slots";
import { createSessionTransitions, TRANSITION_CONNECTIONS } from "./session-transitions";
import { createStepEnqueuer } from "./step-enqueuer";
import { stopWorker } from "./shutdown";
import type { ShutdownReport } from "./shutdown";

export interface StartWorkerOptions {
  env: WorkerEnv;
  registry?: ProcessorRegistry;
  logger?: Logger;
  workerId?: string;
  /**
   * How long a job's lock lives without renewal (renewed every half). If this process dies, its
   * jobs are re-run about this long later. Short enough to recover fast, long enough that a busy
   * event loop does not lose locks of healthy jobs.
   */
  lockDurationMs?: number;
  /** How often this worker looks for other workers' expired locks. */
  stalledIntervalMs?: number;
  heartbeatIntervalMs?: number;
  heartbeatTtlMs?: number;
}

export interface RunningWorker {
  readonly workerId: string;
  readonly queues: readonly QueueName[];
  readonly logger: Logger;
  /**
   * Stop taking jobs, let running ones finish within SHUTDOWN_TIMEOUT_MS, hand the rest back to
   * their queues, then close Redis and Postgres. Resolves within SHUTDOWN_TIMEOUT_MS + ~4 s;
   * calling it again returns the same promise.
   */
  stop(reason?: string): Promise<ShutdownReport>;
}

const MAX_POOL = 10;
/** Far above a batch statement's normal few milliseconds, well below a job's lock duration × stalls. */
const COMMIT_STATEMENT_TIMEOUT_MS = 30_000;

/** Start one BullMQ Worker per queue in the registry; resolves once they are connected. */
export async function startWorker(options: StartWorkerOptions): Promise<RunningWorker> {
  const { env } = options;
  const workerId = options.workerId ?? `${hostname()}-${process.pid}-${randomBytes(3).toString("hex")}`;
  const logger = options.logger ?? createLogger({ level: env.LOG_LEVEL, workerId });
  const entries = registryEntries(options.registry ?? processors);
  const queues = entries.map(([queue]) => queue);

  const connection = createRedisConnection(env.REDIS_URL, "worker");
  // ioredis reports each failed reconnect; without a listener it prints to stderr unstructured.
  connection.on("error", (err: Error) => logger.warn({ err }, "redis connection error"));
  // Jobs hold a pooled connection only for single short reads and writes (their transitions go
  // through the group commits below), so ten serve fifty jobs; a pool as large as the concurrency
  // opened fifty backends at once when a burst arrived, ~0.8 s each on a loaded machine.
  const database = createDb(env.DATABASE_URL, { appName: "spellcast-worker", max: Math.min(env.WORKER_CONCURRENCY, MAX_POOL) });
  // The group commits' own connections (one per batch in flight): their statements stay prepared
  // on them, rather than being described again on each of the main pool's connections in turn.
  // A statement cap there too: one stuck batch would hold up every job's completion behind it.
  const commitDatabase = createDb(env.DATABASE_URL, {
    appName: "spellcast-worker-commits",
    max: TRANSITION_CONNECTIONS,
    statementTimeoutMs: COMMIT_STATEMENT_TIMEOUT_MS,
  });
  const closeDatabases = async () => {
    await Promise.all([database.close(), commitDatabase.close()]);
  };
  const producers = createProducers(
    { redisUrl: env.REDIS_URL, prefix: env.REDIS_PREFIX },
    { onError: (err) => logger.warn({ err }, "producer connection error") },
  );
  const backoff = { baseMs: env.PROVIDER_BACKOFF_BASE_MS, maxMs: env.PROVIDER_BACKOFF_MAX_MS };
  const cancels = createCancelRegistry();
  const providerSlots = createProviderSlots(env.WORKER_CONCURRENCY);
  const jobDepth = createJobDepth({ slots: env.WORKER_CONCURRENCY, fixed: env.WORKER_JOBS_IN_FLIGHT });
  const storage = createLocalStorage(env.STORAGE_DIR);
  const deps: WorkerDeps = {
    env,
    db: database.db,
    logger,
    storage,
    seedream: createSeedreamAdapter({
      baseUrl: env.SEEDREAM_BASE_URL,
      apiKey: env.SEEDREAM_API_KEY,
      model: env.SEEDREAM_MODEL,
      timeoutMs: env.PROVIDER_TIMEOUT_MS,
    }),
    joycaption: createJoyCaptionAdapter({
      baseUrl: env.JOYCAPTION_BASE_URL,
      apiKey: env.JOYCAPTION_API_KEY,
      model: env.JOYCAPTION_MODEL,
      timeoutMs: env.PROVIDER_TIMEOUT_MS,
    }),
    chat: createOpenAiChatAdapter({
      baseUrl: env.OPENAI_BASE_URL,
      apiKey: env.OPENAI_API_KEY,
      model: env.OPENAI_MODEL,
      timeoutMs: env.PROVIDER_TIMEOUT_MS,
    }),
    cancels,
    producers,
    backoff,
    transitions: createSessionTransitions(commitDatabase.db),
    images: createImageReader(database.db, storage),
    nextSteps: createStepEnqueuer(producers),
    providerSlots,
    jobDepth,
  };
  const failures = createFailureHandler({ db: database.db, producers, logger });
  const activeJobs = createActiveJobs(logger);

  const workers = entries.map(([queue, byName]) => {
    const worker = new Worker(
      queue,
      (job, token) =>
        activeJobs.run(job, token, (signal) => {
          const processor = processorFor(byName, queue, job.name);
          const jobLogger = logger.child({ queue, job: job.name, jobId: job.id, attempt: sessionAttemptsOf(job).made + 1 });
          return processor(job, { ...deps, logger: jobLogger, signal, token });
        }),
      {
        connection,
        prefix: env.REDIS_PREFIX,
        // More jobs than provider slots: the others mark running, commit and enqueue meanwhile
        // (the generation queue's worker follows jobDepth from here on).
        concurrency: jobDepth.current(),
        lockDuration: options.lockDurationMs ?? 15_000,
        stalledInterval: options.stalledIntervalMs ?? 5_000,
        // One stall is forgiven (the job re-runs); a second means the job itself kills workers.
        maxStalledCount: 1,
        // Provider retries: exponential with jitter, never sooner than Retry-After.
        settings: { backoffStrategy: createBackoffStrategy(backoff) },
      },
    );
    attachWorkerListeners(worker, logger);
    if (queue === QueueName.generation) {
      jobDepth.attach(worker);
      worker.on("failed", (job, err) => failures.onFailed(job, err));
    }
    return worker;
  });

  // Started with the workers: a job can mark its session running as soon as they are ready.
  const leases = startLeaseLoop({ db: database.db, leaseMs: env.RUNNING_LEASE_MS, sessionIds: cancels.sessionIds, logger });
  let heartbeat: HeartbeatLoop;
  let cancelSubscriber: CancelSubscriber | undefined;
  try {
    await Promise.all(workers.map((w) => w.waitUntilReady()));
    cancelSubscriber = await startCancelSubscriber({ redisUrl: env.REDIS_URL, prefix: env.REDIS_PREFIX, registry: cancels, logger });
    if (queues.includes(QueueName.maintenance)) await scheduleSweep(producers, env.SWEEP_INTERVAL_MS, logger);
    heartbeat = await startHeartbeatLoop({
      redis: connection,
      prefix: env.REDIS_PREFIX,
      info: { workerId, pid: process.pid, host: hostname(), queues, startedAt: new Date().toISOString() },
      intervalMs: options.heartbeatIntervalMs ?? HEARTBEAT_INTERVAL_MS,
      ttlMs: options.heartbeatTtlMs ?? HEARTBEAT_TTL_MS,
      logger,
    });
  } catch (err) {
    await Promise.allSettled(workers.map((w) => w.close(true)));
    await Promise.allSettled([cancelSubscriber?.close(), producers.close(), leases.stop()]);
    connection.disconnect();
    await closeDatabases();
    throw err;
  }

  logger.info({ queues, concurrency: env.WORKER_CONCURRENCY, jobsInFlight: env.WORKER_JOBS_IN_FLIGHT ?? "measured", prefix: env.REDIS_PREFIX }, "worker started");
  const ready = {
    workers,
    activeJobs,
    providerSlots,
    heartbeat,
    leases,
    connection,
    closeDb: closeDatabases,
    failures,
    cancelSubscriber,
    producers,
    env,
    logger,
  };
  let stopping: Promise<ShutdownReport> | undefined;
  return {
    workerId,
    queues,
    logger,
    stop: (reason = "stop requested") => (stopping ??= stopWorker(ready, reason)),
  };
}

function processorFor(byName: Readonly<Record<string, JobProcessor>>, queue: QueueName, name: string): JobProcessor {
  // hasOwn, so a job named "constructor" cannot reach Object.prototype.
  const processor = Object.hasOwn(byName, name) ? byName[name] : undefined;
  if (!processor) throw new UnrecoverableError(`no processor for job "${name}" on queue "${queue}"`);
  return processor;
}

/** One schedule per deployment (every worker upserts the same id); 0 leaves the schedule as it is. */
async function scheduleSweep(producers: Producers, everyMs: number, logger: Logger): Promise<void> {
  if (everyMs <= 0) return;
  const queue = producers.queue(QueueName.maintenance);
  await producers.ready(queue);
  await queue.upsertJobScheduler(
    SWEEP_SCHEDULER_ID,
    { every: everyMs },
    { name: sweepSessionsJob.name, data: {}, opts: sweepSessionsJob.defaultOptions },
  );
  logger.info({ everyMs }, "sweep scheduled");
}
