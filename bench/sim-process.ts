import path from "node:path";

import { freePort, startProcess, waitForHttp } from "../scripts/lib/processes.mjs";

const root = path.resolve(import.meta.dirname, "..");

/**
 * The sim in its own process, as a provider is in production: its HTTP work does not share the
 * worker's event loop, so a bench measures the worker, not the worker plus its providers.
 */
export async function startSimProcess(latencyMs: number, callLogSize = 500): Promise<{ url: string; pid: number | undefined; close: () => Promise<void> }> {
  const port = await freePort();
  const env = {
    ...process.env,
    SIM_PORT: String(port),
    SIM_HOST: "127.0.0.1",
    SIM_LATENCY_MS: String(latencyMs),
    SIM_CALL_LOG_SIZE: String(callLogSize),
    LOG_LEVEL: "silent",
  };
  const child = startProcess("sim", process.execPath, ["--import", "tsx", "apps/sim/src/main.ts"], { cwd: root, env, quiet: true });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${url}/healthz`, { timeoutMs: 30_000 });
  } catch (err) {
    await child.stop(2_000);
    throw err;
  }
  return { url, pid: child.child.pid, close: () => child.stop(5_000) };
}
