/** Runs a callback at the next paint (a timer while the tab is hidden, where frames stop). */
export type Schedule = (run: () => void) => () => void;

export const nextFrame: Schedule = (run) => {
  if (typeof document !== "undefined" && document.visibilityState === "visible") {
    const frame = requestAnimationFrame(run);
    return () => cancelAnimationFrame(frame);
  }
  const timer = setTimeout(run, 250);
  return () => clearTimeout(timer);
};

/**
 * Runs a callback as soon as `ms` have passed since the last run it made (at once the first time):
 * a batch flushed at most that often, and still after the last item of a burst.
 */
export function atMostEvery(ms: number): Schedule {
  let lastRun = -Infinity;
  return (run) => {
    const timer = setTimeout(
      () => {
        lastRun = Date.now();
        run();
      },
      Math.max(0, lastRun + ms - Date.now()),
    );
    return () => clearTimeout(timer);
  };
}

export interface FrameBatch<T> {
  push(item: T): void;
  /** Drops what is buffered and anything scheduled (unmount). */
  dispose(): void;
}

/**
 * Items pushed between two paints go to `flush` together, in push order: a live page that
 * receives hundreds of events a second then renders once a frame, not once an event.
 */
export function createFrameBatch<T>(flush: (items: T[]) => void, schedule: Schedule = nextFrame): FrameBatch<T> {
  let items: T[] = [];
  let cancel: (() => void) | null = null;
  const run = () => {
    cancel = null;
    const batch = items;
    items = [];
    flush(batch);
  };
  return {
    push(item) {
      items.push(item);
      cancel ??= schedule(run);
    },
    dispose() {
      cancel?.();
      cancel = null;
      items = [];
    },
  };
}
