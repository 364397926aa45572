import { and, eq, inArray, sql } from "drizzle-orm";
import type { SQL } from "drizzle-orm";

import type { Database } from "@spellcast/db";
import { generationSessions } from "@spellcast/db";

/**
 * A deadline `leaseMs` from now by the database's clock. Deadlines are written and read (the
 * sweeper's `findOverdueRunningSessions`) by that one clock, so a worker machine whose clock is
 * off cannot write a lease that has already lapsed, or one that outlives its worker.
 */
export function leaseDeadline(leaseMs: SQL | number): SQL {
  return sql`now() + (${leaseMs})::float8 * interval '1 millisecond'`;
}

/**
 * Moves the deadline of the `running` sessions a live worker is running to `leaseMs` from now:
 * their lease. The sweeper takes back a running session only past its deadline, so a worker that
 * lives keeps its calls however long they last, and one that died gives its sessions up one lease
 * later. `updated_at` stays as it is: nothing a client sees changes. Returns how many rows moved.
 */
export async function renewRunningLeases(db: Database, params: { sessionIds: readonly string[]; leaseMs: number }): Promise<number> {
  if (params.sessionIds.length === 0) return 0;
  const rows = await db
    .update(generationSessions)
    .set({ deadlineAt: leaseDeadline(params.leaseMs) })
    .where(and(inArray(generationSessions.id, [...params.sessionIds]), eq(generationSessions.status, "running")))
    .returning({ id: generationSessions.id });
  return rows.length;
}
