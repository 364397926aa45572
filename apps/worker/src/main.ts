import { InvalidEnvError, loadWorkerEnv } from "./env";
import type { WorkerEnv } from "./env";
import { startWorker } from "./start-worker";

// Past this, something ignored every time box in stopWorker: exit anyway, before a SIGKILL at 30 s.
const HARD_EXIT_MS = 29_500;

function readEnvOrExit(): WorkerEnv {
  try {
    return loadWorkerEnv();
  } catch (err) {
    if (!(err instanceof InvalidEnvError)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
}

const starting = startWorker({ env: readEnvOrExit() });

// Registered before startup finishes, so a signal during startup still gets a graceful stop.
async function shutdown(signal: NodeJS.Signals): Promise<void> {
  setTimeout(() => {
    process.stderr.write(`worker: shutdown on ${signal} overran ${HARD_EXIT_MS} ms; exiting\n`);
    process.exit(1);
  }, HARD_EXIT_MS).unref();
  const worker = await starting;
  try {
    await worker.stop(signal);
    process.exit(0);
  } catch (err) {
    worker.logger.fatal({ err }, "shutdown failed");
    process.exit(1);
  }
}

process.once("SIGTERM", (signal) => void shutdown(signal));
process.once("SIGINT", (signal) => void shutdown(signal));

await starting;
