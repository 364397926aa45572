/**
 * A call's wait for its latency, ended early when the client leaves or the sim closes. A plain
 * timer rather than an abortable `timers/promises` sleep: the sim shares the bench machine's
 * cores with the worker, and an AbortController, its listeners and the DOMException of every
 * abort were a tenth of the sim's CPU per call.
 */
export class CallWait {
  private timer: NodeJS.Timeout | undefined;
  private wake: ((waited: boolean) => void) | undefined;
  private ended = false;

  /** Resolves true once `ms` have passed, false as soon as the wait is ended. */
  sleep(ms: number): Promise<boolean> {
    if (this.ended) return Promise.resolve(false);
    return new Promise((resolve) => {
      this.wake = resolve;
      this.timer = setTimeout(() => {
        this.wake = undefined;
        resolve(true);
      }, ms);
    });
  }

  end(): void {
    this.ended = true;
    clearTimeout(this.timer);
    this.wake?.(false);
    this.wake = undefined;
  }
}
