import { z } from "zod";

const SIM_URL_DEFAULT = "http://127.0.0.1:4010";

const positiveInt = z.coerce.number().int().positive();

/** Everything the worker reads from its environment; the only file that touches `process.env`. */
export const workerEnvSchema = z
  .object({
    DATABASE_URL: z.url().default("postgres://postgres@127.0.0.1:5432/spellcast"),
    REDIS_URL: z.url().default("redis://127.0.0.1:6379"),
    REDIS_PREFIX: z
      .string()
      .regex(/^[A-Za-z0-9_.-]+$/, 'use letters, digits, "_", "-" or "."')
      .default("spellcast"),
    /** Provider calls in flight at once in this process. */
    WORKER_CONCURRENCY: positiveInt.max(1_000).default(10),
    /**
     * Jobs taken from the queue at once, never fewer than WORKER_CONCURRENCY: the ones not calling
     * a provider mark running, commit and enqueue meanwhile, so those round trips do not idle a
     * slot. Unset: sized from measured call and commit times (job-depth.ts).
     */
    WORKER_JOBS_IN_FLIGHT: positiveInt.max(5_000).optional(),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    // Below the 30 s an orchestrator usually waits before SIGKILL, leaving room to hand jobs back.
    SHUTDOWN_TIMEOUT_MS: positiveInt.max(25_000).default(25_000),
    SIM_URL: z.url().default(SIM_URL_DEFAULT),
    SEEDREAM_BASE_URL: z.url().optional(),
    SEEDREAM_API_KEY: z.string().default("sim-key"),
    OPENAI_BASE_URL: z.url().optional(),
    OPENAI_API_KEY: z.string().default("sim-key"),
    JOYCAPTION_BASE_URL: z.url().optional(),
    JOYCAPTION_API_KEY: z.string().default("sim-key"),
    SEEDREAM_MODEL: z.string().min(1).default("seedream-3-0-t2i"),
    JOYCAPTION_MODEL: z.string().min(1).default("joycaption-alpha-two"),
    OPENAI_MODEL: z.string().min(1).default("gpt-4o-mini"),
    PROVIDER_TIMEOUT_MS: positiveInt.default(60_000),
    /**
     * A running session's lease: this process renews it while the call goes on. If the process
     * dies and Redis lost its job too (a host restart), the sweeper puts the session back about
     * this long later, however long its call could have lasted.
     */
    RUNNING_LEASE_MS: positiveInt.min(1_000).max(600_000).default(30_000),
    MAX_ATTEMPTS: positiveInt.max(20).default(3),
    /** Retry backoff of provider calls: exponential with jitter from this base, capped at the max. */
    PROVIDER_BACKOFF_BASE_MS: positiveInt.default(1_000),
    PROVIDER_BACKOFF_MAX_MS: positiveInt.default(30_000),
    /**
     * A job whose database was out of reach (a restart, a failover) runs again after this long,
     * without spending an attempt: the outage is not the provider's failure, and waits it out.
     */
    DATABASE_RETRY_MS: positiveInt.max(60_000).default(2_000),
    STORAGE_DIR: z.string().min(1).default("./.data/storage"),
    /** How often the sweeper runs; 0 turns its schedule off (tests that share a database). */
    SWEEP_INTERVAL_MS: z.coerce.number().int().min(0).default(30_000),
    /** A `queued` session older than this without a job in Redis is enqueued again. */
    SWEEP_QUEUED_AFTER_MS: positiveInt.default(30_000),
  })
  .refine((env) => env.WORKER_JOBS_IN_FLIGHT === undefined || env.WORKER_JOBS_IN_FLIGHT >= env.WORKER_CONCURRENCY, {
    path: ["WORKER_JOBS_IN_FLIGHT"],
    message: "must be at least WORKER_CONCURRENCY",
  })
  // Provider base URLs default to the local simulator, wherever SIM_URL points.
  .transform((env) => ({
    ...env,
    SEEDREAM_BASE_URL: env.SEEDREAM_BASE_URL ?? env.SIM_URL,
    OPENAI_BASE_URL: env.OPENAI_BASE_URL ?? env.SIM_URL,
    JOYCAPTION_BASE_URL: env.JOYCAPTION_BASE_URL ?? env.SIM_URL,
  }));

export type WorkerEnv = z.output<typeof workerEnvSchema>;

/** A setting is missing or malformed; the message names the variable and fits on one line. */
export class InvalidEnvError extends Error {
  override readonly name = "InvalidEnvError";
}

/** Parse settings from `source`. Empty strings count as unset, so `FOO=` falls back to the default. */
export function parseWorkerEnv(source: Record<string, string | undefined>): WorkerEnv {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ""));
  const result = workerEnvSchema.safeParse(cleaned);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const variable = issue?.path.join(".") || "(environment)";
  const got = typeof issue?.path[0] === "string" ? cleaned[issue.path[0]] : undefined;
  const shown = got === undefined ? "" : ` (got ${JSON.stringify(got)})`;
  throw new InvalidEnvError(`invalid worker setting ${variable}: ${issue?.message ?? "invalid"}${shown}`);
}

/** The worker's settings from the process environment. */
export function loadWorkerEnv(): WorkerEnv {
  return parseWorkerEnv(process.env);
}
