import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import path from "node:path";

import { dropDatabase, migrateDatabase } from "../../packages/db/src/migrate";
import { freePort, startProcess, waitForHttp, WORKER_NODE_ARGS } from "../../scripts/lib/processes.mjs";
import { deleteKeysWithPrefix } from "../../tooling/test/redis-keys";
import { openStackLog } from "./stack-logs";

const root = path.resolve(import.meta.dirname, "../..");

/**
 * Runs the real stack for the e2e run: a fresh database and Redis prefix, the sim, the worker
 * and `next start` on the production build, each on a free port. Returns the teardown.
 */
export default async function globalSetup() {
  const runId = `${Date.now().toString(36)}${randomBytes(2).toString("hex")}`;
  const base = new URL(process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/spellcast");
  base.pathname = `/spellcast_e2e_${runId}`;
  const databaseUrl = base.toString();
  const [webPort, simPort] = await Promise.all([freePort(), freePort()]);
  const baseUrl = `http://127.0.0.1:${webPort}`;
  const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
  const redisPrefix = `sce2e_${runId}`;
  const storageDir = path.join(root, ".data", `e2e-storage-${runId}`);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    REDIS_PREFIX: redisPrefix,
    BETTER_AUTH_SECRET: randomBytes(32).toString("base64url"),
    BETTER_AUTH_URL: baseUrl,
    TRUSTED_ORIGINS: `http://localhost:${webPort}`,
    AUTH_RATE_LIMIT: "false",
    SIM_PORT: String(simPort),
    SIM_URL: `http://127.0.0.1:${simPort}`,
    SEEDREAM_BASE_URL: `http://127.0.0.1:${simPort}`,
    OPENAI_BASE_URL: `http://127.0.0.1:${simPort}`,
    JOYCAPTION_BASE_URL: `http://127.0.0.1:${simPort}`,
    STORAGE_DIR: storageDir,
    // Every line goes to test-results/e2e-stack (stack-logs.ts); the terminal gets them only with E2E_VERBOSE.
    LOG_LEVEL: "info",
  };

  await migrateDatabase(databaseUrl);
  execFileSync("npx", ["tsx", "scripts/seed.ts"], { cwd: root, env, stdio: "inherit" });

  const quiet = !process.env.E2E_VERBOSE;
  const logs = { sim: openStackLog("sim"), worker: openStackLog("worker"), web: openStackLog("web") };
  const children = [
    startProcess("sim", "node", ["--import", "tsx", "apps/sim/src/main.ts"], { cwd: root, env, quiet, onLine: logs.sim.onLine }),
    startProcess("worker", "node", WORKER_NODE_ARGS, { cwd: root, env, quiet, onLine: logs.worker.onLine }),
    startProcess("web", "npx", ["next", "start", "-p", String(webPort), "-H", "127.0.0.1"], {
      cwd: path.join(root, "apps/web"),
      env,
      quiet,
      onLine: logs.web.onLine,
    }),
  ];
  // The run's database, Redis keys and stored files go with it: runs share the machine's services.
  const teardown = async () => {
    await Promise.all(children.map((c) => c.stop(10_000)));
    await Promise.all(Object.values(logs).map((log) => log.close()));
    await dropDatabase(databaseUrl);
    await deleteKeysWithPrefix(redisUrl, redisPrefix);
    await rm(storageDir, { recursive: true, force: true });
  };
  try {
    await waitForHttp(`${baseUrl}/api/health`, { timeoutMs: 90_000 });
  } catch (err) {
    await teardown();
    throw err;
  }
  // Workers inherit the environment set here.
  process.env.E2E_BASE_URL = baseUrl;
  process.env.E2E_DATABASE_URL = databaseUrl;
  process.env.E2E_SIM_URL = env.SIM_URL;
  return teardown;
}
