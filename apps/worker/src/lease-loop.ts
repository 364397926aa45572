import { renewRunningLeases } from "@spellcast/core";
import type { Database } from "@spellcast/db";

import type { Logger } from "./logger";
import { repeatEvery } from "./repeat-loop";
import type { RepeatLoop } from "./repeat-loop";

/** Renewed three times per lease: one late or failed renewal never lets a live call's lease lapse. */
const RENEWALS_PER_LEASE = 3;

/**
 * Keeps the leases (deadlines) of the sessions this process runs ahead of the clock: every third
 * of `leaseMs`, one statement moves them all to now + `leaseMs`. If the process dies, its running
 * sessions pass their deadline one lease later and the sweeper takes them back (when their jobs
 * are gone too); a call that lives on keeps its session however long it takes.
 */
export function startLeaseLoop(options: { db: Database; leaseMs: number; sessionIds: () => string[]; logger: Logger }): RepeatLoop {
  const { db, leaseMs, sessionIds, logger } = options;
  return repeatEvery(Math.floor(leaseMs / RENEWALS_PER_LEASE), async () => {
    const ids = sessionIds();
    try {
      await renewRunningLeases(db, { sessionIds: ids, leaseMs });
    } catch (err) {
      logger.warn({ err, sessions: ids.length }, "running leases not renewed; trying again next round");
    }
  });
}
