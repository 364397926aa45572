import { z } from "zod";

const envSchema = z.object({
  SIM_PORT: z.coerce.number().int().min(0).max(65_535).default(4010),
  SIM_HOST: z.string().min(1).default("127.0.0.1"),
  SIM_LATENCY_MS: z.coerce.number().int().min(0).max(600_000).default(0),
  /** Calls kept in the call log (GET /__sim/calls): the bench reads a whole run's. */
  SIM_CALL_LOG_SIZE: z.coerce.number().int().min(1).max(100_000).default(500),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});
export type SimEnv = z.infer<typeof envSchema>;

/** Pure, so it can be checked without touching the real environment. */
export function parseEnv(source: Record<string, string | undefined>): { env: SimEnv } | { error: string } {
  // Empty strings (VAR= in a .env) mean "use the default", not "invalid".
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== ""));
  const parsed = envSchema.safeParse(cleaned);
  if (parsed.success) return { env: parsed.data };
  const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message} (got ${JSON.stringify(source[String(i.path[0])])})`);
  return { error: `Invalid environment for apps/sim:\n${lines.join("\n")}` };
}

export function loadEnv(): SimEnv {
  const result = parseEnv(process.env);
  if ("error" in result) {
    process.stderr.write(`${result.error}\n`);
    process.exit(1);
  }
  return result.env;
}
