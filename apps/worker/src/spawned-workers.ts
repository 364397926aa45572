import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";

import type { GenerationHarness } from "./generation-test-harness";

// Test-only: the real worker entry point (main.ts) in processes of their own, for tests that
// signal it (SIGTERM) or kill it (SIGKILL, as a crash or a host restart would). Not imported by
// production code.

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));

export interface WorkerProcess {
  child: ChildProcess;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

/**
 * Starts main.ts in its own process group with `env` over this process's environment (PATH and
 * the rest). `waitForStart`: resolve once it logs that it started (else at once, for a start that
 * is meant to fail).
 */
export async function spawnWorkerProcess(env: Record<string, string>, options: { waitForStart?: boolean } = {}): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", "apps/worker/src/main.ts"], {
    cwd: repoRoot,
    // eslint-disable-next-line no-restricted-properties -- the child inherits PATH and the rest of this test process's environment
    env: { ...process.env, ...env },
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = once(child, "exit").then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null, at: Date.now() }));
  const started = { child, output: () => output, exited };
  if (options.waitForStart === false) return started;
  const deadline = Date.now() + 20_000;
  while (!output.includes('"msg":"worker started"')) {
    if (child.exitCode !== null || Date.now() > deadline) {
      killGroup(child);
      throw new Error(`worker did not start:\n${output}`);
    }
    await sleep(50);
  }
  return started;
}

/** SIGKILL to the child's process group, when it is still running. */
export function killGroup(child: ChildProcess): void {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {
    // already gone
  }
}

export interface SpawnedWorkers {
  /** Starts one on the harness's database, Redis prefix, sim and storage; resolves once it logs that it started. */
  spawn(overrides?: Record<string, string>): Promise<ChildProcess>;
  /** SIGKILL to its process group, resolved once it has exited. */
  kill(child: ChildProcess): Promise<void>;
  /** SIGKILL to every one still running (afterAll). */
  killAll(): void;
}

export function spawnedWorkers(h: GenerationHarness): SpawnedWorkers {
  const children: ChildProcess[] = [];
  return {
    async spawn(overrides = {}) {
      const env = h.env();
      const { child } = await spawnWorkerProcess({
        REDIS_URL: env.REDIS_URL,
        REDIS_PREFIX: env.REDIS_PREFIX,
        DATABASE_URL: env.DATABASE_URL,
        SIM_URL: h.sim.url,
        STORAGE_DIR: h.storageDir,
        SWEEP_INTERVAL_MS: "0",
        WORKER_CONCURRENCY: "4",
        LOG_LEVEL: "info",
        ...overrides,
      });
      children.push(child);
      return child;
    },
    async kill(child) {
      const exited = once(child, "exit");
      killGroup(child);
      await exited;
    },
    killAll() {
      children.forEach(killGroup);
    },
  };
}
