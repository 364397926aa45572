export interface LinkedSignal {
  signal: AbortSignal;
  /** True when the deadline, not one of the signals, aborted it. */
  timedOut(): boolean;
  /** Drops the listeners and the timer; call when the work it guards has ended. */
  dispose(): void;
}

/**
 * One signal that aborts when any of `signals` does, or after `timeoutMs`. Used instead of
 * `AbortSignal.any` and `AbortSignal.timeout`: Node 20 keeps every signal those compose in weak
 * sets until a garbage collection and arms a timer per call, which cost the worker ~3 % of its
 * CPU at a provider call every few milliseconds (profiled in the captions bench).
 */
export function linkedSignal(signals: ReadonlyArray<AbortSignal | undefined>, timeoutMs?: number): LinkedSignal {
  const controller = new AbortController();
  let timedOut = false;
  const sources = signals.filter((s): s is AbortSignal => s !== undefined);
  const onAbort = function (this: AbortSignal) {
    controller.abort(this.reason);
  };
  const already = sources.find((s) => s.aborted);
  if (already) controller.abort(already.reason);
  else for (const s of sources) s.addEventListener("abort", onAbort, { once: true });
  const timer =
    timeoutMs === undefined || already
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          controller.abort(new DOMException(`no answer within ${timeoutMs} ms`, "TimeoutError"));
        }, timeoutMs);
  return {
    signal: controller.signal,
    timedOut: () => timedOut,
    dispose() {
      if (timer) clearTimeout(timer);
      for (const s of sources) s.removeEventListener("abort", onAbort);
    },
  };
}
