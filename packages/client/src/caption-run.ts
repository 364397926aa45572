import type { TRPCClient } from "@trpc/client";

import type { StreamEvent } from "./follow-events.js";
import { followEvents, readCursor } from "./follow-events.js";
import type { AppRouter, CaptionProgress, CaptionRunInput, CaptionSet } from "./types.js";
import { isFinalCaptionStatus } from "./types.js";

export interface CaptionRunOptions {
  /** Stops the progress iteration (the run goes on): the iterator throws the signal's reason. */
  signal?: AbortSignal;
  /** The iterator throws a `WaitForTimeoutError` if the run has not stopped within this long. */
  timeoutMs?: number;
}

export interface CaptionRun {
  /** The set as `captions.start` returned it. */
  set: CaptionSet;
  /**
   * Progress snapshots from the run's events, in order, until the set is `completed`,
   * `completed_with_errors`, `canceled` or `paused`: that last snapshot is yielded, then it ends.
   * Breaking out of the loop stops following (the run goes on).
   */
  progress: AsyncIterable<CaptionProgress>;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null;

/** The set snapshot a `caption_set_updated` or `caption_updated` event carries, when it is this set's. */
function setOf(event: StreamEvent, setId: string): CaptionSet | null {
  if (event.type !== "caption_set_updated" && event.type !== "caption_updated") return null;
  const set = event.payload.set;
  return isObject(set) && set.id === setId && typeof set.status === "string" && typeof set.done === "number" ? (set as CaptionSet) : null;
}

const toProgress = (set: CaptionSet): CaptionProgress => ({ done: set.done, failed: set.failed, total: set.total, status: set.status, spent: set.spent });
const sameProgress = (a: CaptionProgress, b: CaptionProgress) =>
  a.done === b.done && a.failed === b.failed && a.total === b.total && a.status === b.status && a.spent === b.spent;

/**
 * Yields from events only (they arrive in commit order, so counts never go back); a read of the
 * set (after the stream opens, on polls, on reconnects) only ends the iteration once the set has
 * stopped, with that final snapshot.
 */
async function* followProgress(trpc: TRPCClient<AppRouter>, setId: string, after: string, options: CaptionRunOptions): AsyncGenerator<CaptionProgress> {
  const pending: CaptionProgress[] = [];
  let wake: (() => void) | null = null;
  // Set from the follow's callbacks; an object so the loop below reads it fresh after each wait.
  const state: { ended: { error: unknown } | { done: true } | null } = { ended: null };
  let last: CaptionProgress | null = null;
  const stop = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
  const push = (progress: CaptionProgress) => {
    if (last && sameProgress(last, progress)) return;
    last = progress;
    pending.push(progress);
    wake?.();
  };

  followEvents<CaptionProgress>(trpc, {
    after,
    signal,
    timeoutMs: options.timeoutMs,
    timeoutMessage: `Caption set ${setId} did not stop within ${options.timeoutMs} ms`,
    onEvent(event) {
      const set = setOf(event, setId);
      if (!set) return null;
      if (isFinalCaptionStatus(set.status)) return toProgress(set);
      push(toProgress(set));
      return null;
    },
    async check() {
      const { set } = await trpc.captions.get.query({ setId });
      return isFinalCaptionStatus(set.status) ? toProgress(set) : null;
    },
  }).then(
    (final) => {
      push(final);
      state.ended = { done: true };
      wake?.();
    },
    (error: unknown) => {
      state.ended = { error };
      wake?.();
    },
  );

  try {
    for (;;) {
      const next = pending.shift();
      if (next) {
        yield next;
        continue;
      }
      const outcome = state.ended;
      if (outcome) {
        if ("error" in outcome) throw outcome.error;
        return;
      }
      await new Promise<void>((resolve) => (wake = resolve));
      wake = null;
    }
  } finally {
    stop.abort(new Error("progress iteration ended"));
  }
}

/**
 * Starts a caption run over a dataset and returns the set with an async iterable of its
 * progress. The cursor is taken before the run starts, so no event of the run is missed.
 */
export async function startCaptionRun(trpc: TRPCClient<AppRouter>, input: CaptionRunInput, options: CaptionRunOptions = {}): Promise<CaptionRun> {
  const after = await readCursor(trpc);
  const set = await trpc.captions.start.mutate(input);
  return { set, progress: { [Symbol.asyncIterator]: () => followProgress(trpc, set.id, after, options) } };
}
