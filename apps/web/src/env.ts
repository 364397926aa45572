import { z } from "zod";

const booleanString = z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1");

const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  DATABASE_URL: z.string().url().default("postgres://postgres@127.0.0.1:5432/spellcast"),
  REDIS_URL: z.string().url().default("redis://127.0.0.1:6379"),
  REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9_-]+$/, "letters, digits, _ and - only").default("spellcast"),
  BETTER_AUTH_SECRET: z.string().min(32, "must be at least 32 characters (npm start writes one into .env)"),
  BETTER_AUTH_URL: z.string().url().default("http://localhost:3000"),
  TRUSTED_ORIGINS: z
    .string()
    .default("http://127.0.0.1:3000")
    .transform((s) => s.split(",").map((o) => o.trim()).filter(Boolean)),
  AUTH_RATE_LIMIT: booleanString.default(true),
  STARTING_CREDITS: z.coerce.number().int().min(0).max(1_000_000).default(100),
  STORAGE_DIR: z.string().min(1).default("./.data/storage"),
  /** Largest accepted dataset image, in bytes (default 20 MB). */
  MAX_UPLOAD_BYTES: z.coerce.number().int().min(1024).max(1024 * 1024 * 1024).default(20 * 1024 * 1024),
  /** Most images one dataset may hold. */
  MAX_DATASET_IMAGES: z.coerce.number().int().min(1).max(1_000_000).default(5_000),
  /** Provider attempts per generation (the job's `attempts`); the worker honours the job's value. */
  MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(3),
  /** How long a generation's credit hold lasts before the sweeper may release it. */
  GENERATION_HOLD_MS: z.coerce.number().int().min(60_000).default(30 * 60_000),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});

export type Env = z.infer<typeof envSchema>;

let cached: Env | undefined;

/**
 * Reads and validates the settings once. Called at server start (instrumentation.ts) so a bad
 * variable stops the server with its name, and lazily by request handlers (never at build time).
 */
export function env(): Env {
  if (cached) return cached;
  const parsed = envSchema.safeParse(process.env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid environment:\n${lines.join("\n")}`);
  }
  cached = parsed.data;
  return cached;
}
