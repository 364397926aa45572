import type { SQL } from "drizzle-orm";
import { sql } from "drizzle-orm";

import { generationSessions } from "@spellcast/db";

/**
 * `castId` has no open step (no queued or running session). Written as `not in` an uncorrelated
 * subquery so Postgres hashes the open sessions once: as a correlated `not exists`, the planner —
 * trusting statistics taken when few sessions were open — probed the open-sessions index with no
 * cast condition for every cast, 136 ms for 500 active casts (1.5 ms this way).
 */
export function hasNoOpenStep(castId: SQL): SQL {
  return sql`${castId} not in (select gs.cast_id from ${generationSessions} gs where gs.status in ('queued', 'running') and gs.cast_id is not null)`;
}
