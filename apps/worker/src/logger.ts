import { pino } from "pino";
import type { Logger } from "pino";

export type { Logger };

export interface LoggerOptions {
  level: string;
  workerId: string;
}

/** Structured JSON logs; every line carries the app and the worker id so fleets can be told apart. */
export function createLogger(options: LoggerOptions): Logger {
  return pino({
    level: options.level,
    base: { app: "worker", workerId: options.workerId, pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}
