import { and, eq, inArray } from "drizzle-orm";

import type { Database } from "@spellcast/db";
import { generationSessions } from "@spellcast/db";

/**
 * Moves the deadline of the `running` sessions a live worker is running to `deadlineAt`: their
 * lease. The sweeper takes back a running session only past its deadline, so a worker that lives
 * keeps its calls however long they last, and one that died gives its sessions up one lease later.
 * `updated_at` stays as it is: nothing a client sees changes. Returns how many rows moved.
 */
export async function renewRunningLeases(db: Database, params: { sessionIds: readonly string[]; deadlineAt: Date }): Promise<number> {
  if (params.sessionIds.length === 0) return 0;
  const rows = await db
    .update(generationSessions)
    .set({ deadlineAt: params.deadlineAt })
    .where(and(inArray(generationSessions.id, [...params.sessionIds]), eq(generationSessions.status, "running")))
    .returning({ id: generationSessions.id });
  return rows.length;
}
