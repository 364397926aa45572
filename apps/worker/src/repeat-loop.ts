export interface RepeatLoop {
  /** Stop repeating and wait for a run in flight. */
  stop(): Promise<void>;
}

/**
 * Runs `run` every `intervalMs`, counted from the end of the run before: a chain of timeouts
 * rather than an interval, so during an outage runs wait for each other instead of piling up.
 * `run` handles its own errors.
 */
export function repeatEvery(intervalMs: number, run: () => Promise<void>): RepeatLoop {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> = Promise.resolve();
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      inFlight = run().then(schedule);
    }, intervalMs);
  };
  schedule();
  return {
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await inFlight;
    },
  };
}
