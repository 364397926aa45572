import { createWriteStream, mkdirSync } from "node:fs";
import path from "node:path";

/**
 * Where the e2e stack's processes write every line they log (at info): a stall or a flake is
 * then traceable, job by job, after the run. Inside Playwright's output folder, which each run
 * empties before it starts.
 */
export const STACK_LOG_DIR = path.resolve(import.meta.dirname, "../../test-results/e2e-stack");

export interface StackLog {
  onLine(line: string): void;
  close(): Promise<void>;
}

export function openStackLog(name: string): StackLog {
  mkdirSync(STACK_LOG_DIR, { recursive: true });
  const out = createWriteStream(path.join(STACK_LOG_DIR, `${name}.log`));
  return {
    onLine: (line) => void out.write(`${line}\n`),
    close: () => new Promise((resolve) => out.end(resolve)),
  };
}
