// `npm start`: install if needed, find or start Postgres and Redis, migrate, seed once, build,
// then run web (:3000), worker and sim together. Ctrl-C stops all of them (no orphans).
import { execFileSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { loadEnvFile } from "./lib/env-file.mjs";
import { ensureInstalled } from "./lib/install.mjs";
import { ensureServices } from "./lib/services.mjs";
import { startProcess, waitForHttp, WORKER_NODE_ARGS } from "./lib/processes.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const dev = process.argv.includes("--dev");
const log = (msg) => console.log(`\x1b[1m[spellcast]\x1b[0m ${msg}`);

process.env.NEXT_TELEMETRY_DISABLED = "1";
process.env.TURBO_TELEMETRY_DISABLED = "1";

ensureInstalled(root, log);
loadEnvFile(root, log);
const services = await ensureServices({ dataRoot: path.join(root, ".data"), log });
const env = {
  ...process.env,
  DATABASE_URL: services.databaseUrl,
  REDIS_URL: services.redisUrl,
  // Web (cwd apps/web) and worker (cwd root) must read and write the same folder: make it absolute.
  STORAGE_DIR: path.resolve(root, process.env.STORAGE_DIR ?? ".data/storage"),
};
const run = (cmd, args, opts = {}) => execFileSync(cmd, args, { cwd: root, env, stdio: "inherit", ...opts });

log(`database ${new URL(env.DATABASE_URL).pathname.slice(1)}: migrating`);
run("npx", ["tsx", "packages/db/src/migrate-cli.ts"]);
run("npx", ["tsx", "scripts/seed.ts"]);
if (!dev) {
  log("building the web app (cached when nothing changed)");
  run("npx", ["turbo", "run", "build", "--filter=@spellcast/web", "--output-logs=errors-only"]);
}

const port = env.PORT ?? "3000";
const children = [
  startProcess("sim", "node", ["--import", "tsx", "apps/sim/src/main.ts"], { cwd: root, env }),
  startProcess("worker", "node", WORKER_NODE_ARGS, { cwd: root, env }),
  startProcess("web", "npx", ["next", dev ? "dev" : "start", "-p", port], { cwd: path.join(root, "apps/web"), env }),
];

let stopping = false;
async function stopAll(code) {
  if (stopping) return;
  stopping = true;
  log("stopping web, worker and sim…");
  await Promise.all(children.map((c) => c.stop()));
  services.stop();
  process.exit(code);
}
process.on("SIGINT", () => void stopAll(0));
process.on("SIGTERM", () => void stopAll(0));
for (const c of children) {
  c.exited.then(({ code, signal }) => {
    if (stopping) return;
    log(`${c.name} exited (${signal ?? code}); stopping the rest`);
    void stopAll(1);
  });
}

waitForHttp(`http://127.0.0.1:${port}/api/health`, { timeoutMs: 120_000 })
  .then(() => log(`ready: http://localhost:${port}  (Bull Board: /admin/queues, Ctrl-C stops everything)`))
  .catch((err) => log(`web did not become healthy: ${err.message}`));
