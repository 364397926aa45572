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

const worker = await startWorker({ env: readEnvOrExit() });

function shutdown(signal: NodeJS.Signals): void {
  setTimeout(() => {
    worker.logger.fatal({ signal }, "shutdown overran its time budget; exiting");
    process.exit(1);
  }, HARD_EXIT_MS).unref();
  worker.stop(signal).then(
    () => process.exit(0),
    (err: unknown) => {
      worker.logger.fatal({ err }, "shutdown failed");
      process.exit(1);
    },
  );
}

process.once("SIGTERM", shutdown);
process.once("SIGINT", shutdown);
