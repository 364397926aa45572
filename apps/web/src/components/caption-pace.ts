/**
 * The time-left estimate of a running caption set, from the pace this page has watched. Not from
 * the set's creation: a run paused overnight, or resumed after a crash, would otherwise count the
 * hours it stood still as hours of work and promise a night for the minutes left.
 */

/** One reading of a running set: when, and how many of its images had finished (done + failed). */
export interface PaceReading {
  at: number;
  finished: number;
}

/** The pace is read over about the last minute, so it follows a run that speeds up or slows down. */
const WINDOW_MS = 60_000;

/**
 * Adds a reading taken at `at`, dropping the ones older than the window — but always keeping the
 * newest reading before it, so a slow run (one image a minute) still has a pace. A reading whose
 * count did not move adds nothing: the estimate measures time since the first reading anyway.
 */
export function addReading(readings: readonly PaceReading[], reading: PaceReading): PaceReading[] {
  const last = readings.at(-1);
  if (last && reading.finished === last.finished) return [...readings];
  // A count that went back (another reader's older snapshot) restarts the pace.
  if (last && reading.finished < last.finished) return [reading];
  const next = [...readings, reading];
  const firstInWindow = next.findIndex((r) => reading.at - r.at <= WINDOW_MS);
  return next.slice(Math.max(0, firstInWindow - 1));
}

/**
 * Milliseconds left for `remaining` images at the pace of `readings`, measured up to `now` (a run
 * that stalls sees its estimate grow while it stands still). Null until the count has moved while
 * this page watched, over some time: readings of one clock tick say nothing about pace.
 */
export function estimateTimeLeftMs(readings: readonly PaceReading[], now: number, remaining: number): number | null {
  const first = readings[0];
  const last = readings.at(-1);
  if (!first || !last || last.finished === first.finished || last.at === first.at) return null;
  if (remaining <= 0) return 0;
  const perImageMs = (Math.max(now, last.at) - first.at) / (last.finished - first.finished);
  return perImageMs * remaining;
}

/** What a progress view follows of one set: its readings, and which clock time is stale. */
export interface Pace {
  /** The set, whether it runs, and its count, as last seen. */
  key: string;
  readings: PaceReading[];
  /**
   * The page's clock when the set stopped running or another set came into view: the clock ticks
   * only while a set runs, so until its next tick it still shows that moment and no reading can be
   * taken with it (a run resumed after an hour would seem to have taken that hour).
   */
  staleAt: number | null;
}

export interface PaceView {
  setId: string;
  running: boolean;
  finished: number;
  /** The page's clock (its last tick). */
  now: number;
}

export const paceKey = (view: PaceView) => `${view.setId}/${view.running}/${view.finished}`;

/** The pace after the view changed (`previous` null: the view just mounted, its clock fresh). */
export function followPace(previous: Pace | null, view: PaceView): Pace {
  const key = paceKey(view);
  const sameSet = previous !== null && previous.key.startsWith(`${view.setId}/`);
  if (!view.running) return { key, readings: [], staleAt: view.now };
  if (previous !== null && !sameSet) return { key, readings: [], staleAt: view.now };
  const staleAt = previous?.staleAt ?? null;
  if (staleAt === view.now) return { key, readings: [], staleAt };
  return { key, readings: addReading(previous?.readings ?? [], { at: view.now, finished: view.finished }), staleAt: null };
}
