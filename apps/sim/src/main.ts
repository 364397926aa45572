import { pino } from "pino";

import { loadEnv } from "./env";
import { startSim } from "./server";

const env = loadEnv();
const logger = pino({ name: "sim", level: env.LOG_LEVEL });

const sim = await startSim({ port: env.SIM_PORT, host: env.SIM_HOST, latencyMs: env.SIM_LATENCY_MS, callLogSize: env.SIM_CALL_LOG_SIZE, logger });

let closing = false;
async function shutdown(signal: NodeJS.Signals): Promise<void> {
  if (closing) return;
  closing = true;
  logger.info({ signal }, "sim shutting down");
  try {
    await sim.close();
    process.exit(0);
  } catch (err) {
    logger.error({ err }, "sim failed to close cleanly");
    process.exit(1);
  }
}
process.on("SIGTERM", (s) => void shutdown(s));
process.on("SIGINT", (s) => void shutdown(s));
