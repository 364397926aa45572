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

/** Runs a callback after `ms` (a batch flushed at most that often, still after its last item). */
export const after =
  (ms: number): Schedule =>
  (run) => {
    const timer = setTimeout(run, ms);
    return () => clearTimeout(timer);
  };

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
