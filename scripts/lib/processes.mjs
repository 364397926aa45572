// Starts long-running children in their own process groups with prefixed output, and stops
// whole groups (Next's `next start` spawns a child that outlives a killed parent).
import { spawn } from "node:child_process";
import net from "node:net";
import { createInterface } from "node:readline";

const COLORS = ["\x1b[36m", "\x1b[35m", "\x1b[33m", "\x1b[32m", "\x1b[34m"];
let colorIndex = 0;

/**
 * @param {string} name
 * @param {string} command
 * @param {string[]} args
 * @param {{ cwd?: string, env?: NodeJS.ProcessEnv, quiet?: boolean, onLine?: (line: string) => void }} [options]
 */
/**
 * How the worker's node runs. A 64 MB young generation (V8's default is 16 MB): a completion
 * batch's rows, events and snapshots are short-lived, and with 50 jobs in flight a small young
 * generation promotes them to the old one before they die. Measured with the captions bench on
 * this 2-core machine: 0.3–0.7 ms less worker CPU per image (bench/README). package.json files
 * cannot import this list: apps/worker's `start` and the root's `bench` (whose process hosts the
 * worker) spell the same flag; change them with it.
 */
export const WORKER_NODE_ARGS = ["--max-semi-space-size=64", "--import", "tsx", "apps/worker/src/main.ts"];

export function startProcess(name, command, args, options = {}) {
  const { cwd, env, quiet = false, onLine } = options;
  const color = process.stdout.isTTY ? COLORS[colorIndex++ % COLORS.length] : "";
  const reset = color ? "\x1b[0m" : "";
  const child = spawn(command, args, {
    cwd,
    env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const prefix = `${color}[${name}]${reset} `;
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on("line", (line) => {
      onLine?.(line);
      if (!quiet) process.stdout.write(prefix + line + "\n");
    });
  }
  const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  return {
    name,
    child,
    exited,
    /** SIGTERM to the whole group, then SIGKILL after `graceMs`. */
    async stop(graceMs = 30_000) {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      signalGroup(child.pid, "SIGTERM");
      const timer = setTimeout(() => signalGroup(child.pid, "SIGKILL"), graceMs);
      const result = await exited;
      clearTimeout(timer);
      // Reap grandchildren left in the group (e.g. next-server).
      signalGroup(child.pid, "SIGKILL");
      return result;
    },
  };
}

function signalGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
}

export async function waitForHttp(url, { timeoutMs = 60_000, ok = (res) => res.ok } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last = "no answer";
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (ok(res)) return res;
      last = `HTTP ${res.status}: ${(await res.text()).slice(0, 300)}`;
    } catch (err) {
      last = err.message;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms (${last})`);
}

/** A TCP port free on loopback right now (for a child that must be told its port). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}
