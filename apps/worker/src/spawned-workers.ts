import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";

import type { GenerationHarness } from "./generation-test-harness";

// Test-only: the real worker entry point (main.ts) in processes of their own, for tests that
// kill it with SIGKILL, as a crash or a host restart would. Not imported by production code.

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));

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

  async function spawnWorker(overrides: Record<string, string> = {}): Promise<ChildProcess> {
    const env = h.env({ LOG_LEVEL: "info", WORKER_CONCURRENCY: "4", ...overrides });
    const child = spawn(process.execPath, ["--import", "tsx", "apps/worker/src/main.ts"], {
      cwd: repoRoot,
      env: {
        // eslint-disable-next-line no-restricted-properties -- the child inherits PATH and the rest of this test process's environment
        ...process.env,
        REDIS_URL: env.REDIS_URL,
        REDIS_PREFIX: env.REDIS_PREFIX,
        DATABASE_URL: env.DATABASE_URL,
        SIM_URL: h.sim.url,
        STORAGE_DIR: h.storageDir,
        SWEEP_INTERVAL_MS: "0",
        WORKER_CONCURRENCY: "4",
        LOG_LEVEL: "info",
        ...overrides,
      },
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    children.push(child);
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const deadline = Date.now() + 20_000;
    while (!output.includes('"msg":"worker started"')) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`worker did not start:\n${output}`);
      await sleep(50);
    }
    return child;
  }

  return {
    spawn: spawnWorker,
    async kill(child) {
      if (!child.pid) throw new Error("no pid");
      const exited = new Promise((resolve) => child.once("exit", resolve));
      process.kill(-child.pid, "SIGKILL");
      await exited;
    },
    killAll() {
      for (const child of children) {
        if (child.exitCode !== null || child.signalCode !== null || !child.pid) continue;
        try {
          process.kill(-child.pid, "SIGKILL");
        } catch {
          // already gone
        }
      }
    },
  };
}
