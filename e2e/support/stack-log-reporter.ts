import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";

import type { FullResult, Reporter } from "@playwright/test/reporter";

import { STACK_LOG_DIR } from "./stack-logs";

/** Warnings and errors shown per process when a run fails: the rest stays in the files. */
const TAIL_LINES = 40;
const WARN = 40;

/**
 * When a run does not pass, prints the stack's last warnings and errors (worker, web, sim) and
 * where their whole logs are: the processes run quiet, and a failure on a CI machine is often
 * a step that stalled or an error the page only showed as a spinner.
 */
export default class StackLogReporter implements Reporter {
  onEnd(result: FullResult) {
    if (result.status === "passed" || !existsSync(STACK_LOG_DIR)) return;
    for (const file of readdirSync(STACK_LOG_DIR).filter((f) => f.endsWith(".log"))) {
      const full = path.join(STACK_LOG_DIR, file);
      const warnings = readFileSync(full, "utf8")
        .split("\n")
        .filter((line) => levelOf(line) >= WARN);
      console.log(`\n[stack] ${file}: ${warnings.length} warnings and errors; the whole log is ${full}`);
      for (const line of warnings.slice(-TAIL_LINES)) console.log(`[stack] ${line.slice(0, 2_000)}`);
    }
  }

  printsToStdio() {
    return false;
  }
}

/** A pino line's level. Other lines (Next's banner, a stack trace) count as warnings when they read like one. */
function levelOf(line: string): number {
  try {
    const parsed: unknown = JSON.parse(line);
    if (parsed && typeof parsed === "object" && "level" in parsed && typeof parsed.level === "number") return parsed.level;
  } catch {
    // not JSON: judged by its words below
  }
  return /error|warn|⨯|^\s+at /i.test(line) ? WARN : 0;
}
