import { eq } from "drizzle-orm";

import type { EventHub } from "@spellcast/core";
import { captionSets } from "@spellcast/db";
import type { Database } from "@spellcast/db";

/** A re-read at least this often, should a wake-up be lost. */
const FALLBACK_MS = 250;

/**
 * Waits until the caption set leaves `in_progress`, as the web's live readers learn it: the
 * events NOTIFY that every commit of the run sends (the flip's included) wakes a re-read of the
 * set's status. A 20 ms poll read the flip 10 ms late on average and cost a query per poll, in
 * the process the worker runs in. Returns the status it ended with (or `in_progress` on timeout).
 */
export async function waitForSetEnd(hub: EventHub, db: Database, params: { userId: string; setId: string; timeoutMs: number }): Promise<string> {
  const deadline = performance.now() + params.timeoutMs;
  let woken = false;
  let wake: () => void = () => undefined;
  const unsubscribe = hub.subscribe(params.userId, () => {
    woken = true;
    wake();
  });
  try {
    await hub.ready();
    for (;;) {
      const [row] = await db.select({ status: captionSets.status }).from(captionSets).where(eq(captionSets.id, params.setId));
      const status = row?.status ?? "missing";
      if (status !== "in_progress" || performance.now() >= deadline) return status;
      // A wake-up during the read means another commit since: read again at once.
      if (!woken) await wokenOrAfter(FALLBACK_MS, (resolve) => (wake = resolve));
      woken = false;
    }
  } finally {
    unsubscribe();
  }
}

/** Resolves when `arm`'s callback is called or after `ms`, whichever comes first. */
function wokenOrAfter(ms: number, arm: (resolve: () => void) => void): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    arm(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
