// `npm test`: install if needed, find or start Postgres and Redis, then run every check:
// typecheck, lint, unit + integration tests (vitest, real services), and Playwright e2e in
// Debian Chromium against a production build. Each run has its own database and Redis prefix.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { ensureInstalled } from "./lib/install.mjs";
import { ensureServices } from "./lib/services.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const log = (msg) => console.log(`\x1b[1m[test]\x1b[0m ${msg}`);
const only = process.argv.slice(2); // e.g. `npm test -- unit` or `npm test -- e2e`
const wants = (step) => only.length === 0 || only.includes(step);

process.env.NEXT_TELEMETRY_DISABLED = "1";
process.env.TURBO_TELEMETRY_DISABLED = "1";

ensureInstalled(root, log);
const services = await ensureServices({ dataRoot: path.join(root, ".data"), log });
const env = { ...process.env, DATABASE_URL: services.databaseUrl, REDIS_URL: services.redisUrl };
const run = (label, cmd, args, extraEnv = {}) => {
  log(label);
  const started = Date.now();
  execFileSync(cmd, args, { cwd: root, env: { ...env, ...extraEnv }, stdio: "inherit" });
  log(`${label}: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
};

const reports = path.join(root, ".data", "test-reports");
rmSync(reports, { recursive: true, force: true });
mkdirSync(reports, { recursive: true });
const vitestReport = path.join(reports, "vitest.json");
const playwrightReport = path.join(reports, "playwright.json");

/** Sums what the runners reported, so the run ends with one plain "N passed, N failed" line. */
function summarise() {
  const totals = { passed: 0, failed: 0, skipped: 0 };
  if (existsSync(vitestReport)) {
    const v = JSON.parse(readFileSync(vitestReport, "utf8"));
    totals.passed += v.numPassedTests;
    totals.failed += v.numFailedTests;
    totals.skipped += v.numPendingTests + (v.numTodoTests ?? 0);
  }
  if (existsSync(playwrightReport)) {
    const p = JSON.parse(readFileSync(playwrightReport, "utf8")).stats;
    totals.passed += p.expected + p.flaky;
    totals.failed += p.unexpected;
    totals.skipped += p.skipped;
  }
  return totals;
}

let failed = false;
try {
  if (wants("static")) {
    run("typecheck", "npx", ["turbo", "run", "typecheck", "--output-logs=errors-only"]);
    run("typecheck (root scripts, e2e, bench)", "npx", ["tsc", "--noEmit", "-p", "tsconfig.json"]);
    run("lint", "npx", ["eslint", ".", "--max-warnings", "0"]);
  }
  if (wants("unit")) {
    run("unit + integration (vitest)", "npx", [
      "vitest", "run", "--reporter=default", "--reporter=json", `--outputFile.json=${vitestReport}`,
    ]);
  }
  if (wants("e2e")) {
    if (!existsSync("/usr/bin/chromium")) throw new Error("e2e needs Debian's chromium: apt-get install chromium");
    // The client too: e2e/client runs examples/node-client against the built package.
    run("build web (production) and the client package", "npx", ["turbo", "run", "build", "--filter=@spellcast/web", "--filter=@spellcast/client", "--output-logs=errors-only"], {
      // The build must not depend on settings; it gets a throwaway secret only to satisfy types.
      BETTER_AUTH_SECRET: "build-time-placeholder-secret-not-used-at-runtime",
    });
    run("e2e (playwright, chromium)", "npx", ["playwright", "test", "--reporter=list,json,./e2e/support/stack-log-reporter.ts"], {
      PLAYWRIGHT_JSON_OUTPUT_NAME: playwrightReport,
    });
  }
} catch (err) {
  failed = true;
  log(`failed: ${err.message.split("\n")[0]}`);
} finally {
  services.stop();
}
const totals = summarise();
if (totals.failed > 0) failed = true;
console.log(`\n${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(failed ? 1 : 0);
