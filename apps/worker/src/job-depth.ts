import type { Worker } from "bullmq";

/**
 * How many generation jobs BullMQ hands this worker at once, sized by Little's law: to keep
 * `slots` provider calls in flight while other jobs mark running, commit and enqueue, a worker
 * needs slots × (call time + time outside the call) ÷ call time jobs, plus headroom for the
 * commit pipeline's bursts. No more: a job waiting here for a slot is one another worker could
 * have run.
 *
 * A fixed multiple cannot serve both ends. On the captions bench (50 ms calls, 150–250 ms of
 * commits around each) 3 jobs per slot left the slots idle whenever a completion batch ran long
 * (1.55–1.63× the bound) and 6 did not (1.38–1.46×); with calls of seconds, 6 per slot would
 * let one worker sit on five calls' worth of queue while another idles. Measured call and
 * outside times (moving averages) give ~5.5 per slot for the first and ~1.3 for the second.
 */
export interface JobDepth {
  /** The BullMQ worker whose concurrency this sets. */
  attach(worker: Pick<Worker, "concurrency">): void;
  /** One job that called its provider: time in the call, and its other time (slot wait excluded). */
  record(sample: { callMs: number; outsideMs: number }): void;
  current(): number;
}

export interface JobDepthOptions {
  /** Provider calls at once (WORKER_CONCURRENCY). */
  slots: number;
  /** WORKER_JOBS_IN_FLIGHT, when set: always this many, nothing measured. */
  fixed?: number;
}

/** Jobs per slot before any call was measured, and the most ever. */
const INITIAL_PER_SLOT = 3;
const MAX_PER_SLOT = 8;
/** Covers the commit pipeline's bursts: a batch running long holds more jobs than the mean. */
const HEADROOM = 1.6;
/** Weight of each new sample in the moving averages: ~50 jobs of memory. */
const ALPHA = 0.02;

export function createJobDepth(options: JobDepthOptions): JobDepth {
  const { slots, fixed } = options;
  const clamp = (n: number) => (fixed !== undefined ? fixed : Math.max(slots, Math.min(MAX_PER_SLOT * slots, n)));
  const workers: Array<Pick<Worker, "concurrency">> = [];
  let depth = clamp(INITIAL_PER_SLOT * slots);
  let samples = 0;
  let callMs = 0;
  let outsideMs = 0;
  const apply = () => {
    for (const w of workers) w.concurrency = depth;
  };
  return {
    attach(worker) {
      workers.push(worker);
      apply();
    },
    record(sample) {
      if (!(sample.callMs > 0) || !(sample.outsideMs >= 0)) return;
      // The plain mean of the first samples, then a moving average.
      const weight = Math.max(ALPHA, 1 / ++samples);
      callMs += weight * (sample.callMs - callMs);
      outsideMs += weight * (sample.outsideMs - outsideMs);
      const next = clamp(Math.ceil(slots * (1 + outsideMs / callMs) * HEADROOM));
      if (next !== depth) {
        depth = next;
        apply();
      }
    },
    current: () => depth,
  };
}
