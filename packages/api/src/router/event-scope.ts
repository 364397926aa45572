import { z } from "zod";

import type { LogStreamEvent } from "@spellcast/core";
import { captionRunCastIds } from "@spellcast/core";
import type { DbOrTx } from "@spellcast/db";

/**
 * Which step events of caption runs a stream sends. `all` (the default): every event of the
 * log. `{ follow }`: a caption run's casts and their steps' sessions (`cast_updated`,
 * `session_*`) only for the casts named — a 5,000-image run writes ~8 of them per image, which
 * a tab watching its captions (`caption_updated`, one per image) would receive and parse for
 * nothing. Single casts, captions, sets and credits always come through.
 */
export const captionRunStepsSchema = z
  .union([z.literal("all"), z.object({ follow: z.array(z.string().uuid()).max(50) }).strict()])
  .default("all");
export type CaptionRunSteps = z.infer<typeof captionRunStepsSchema>;

/** Casts learned per stream before the memo starts over (a stream outlives many runs). */
const MEMO_LIMIT = 20_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The events of a batch this stream sends, in order; reads which casts are caption runs' once per cast. */
export type StepScope = (events: readonly LogStreamEvent[]) => Promise<LogStreamEvent[]>;

export function createStepScope(db: DbOrTx, userId: string, option: CaptionRunSteps): StepScope {
  if (option === "all") return async (events) => [...events];
  const follow = new Set(option.follow);
  const isCaptionRun = new Map<string, boolean>();
  return async (events) => {
    const unknown = new Set<string>();
    for (const event of events) {
      const cast = castOf(event);
      if (cast && cast.captionRun === undefined && !isCaptionRun.has(cast.id)) unknown.add(cast.id);
    }
    if (unknown.size > 0) {
      if (isCaptionRun.size + unknown.size > MEMO_LIMIT) isCaptionRun.clear();
      const runs = await captionRunCastIds(db, { userId, castIds: [...unknown] });
      for (const id of unknown) isCaptionRun.set(id, runs.has(id));
    }
    return events.filter((event) => {
      const cast = castOf(event);
      if (!cast || follow.has(cast.id)) return true;
      return !(cast.captionRun ?? isCaptionRun.get(cast.id) ?? false);
    });
  };
}

/**
 * The cast a step event is about: a session event names its cast (null for a single generation:
 * no cast); a cast's own event also says whether it belongs to a caption run.
 */
function castOf(event: LogStreamEvent): { id: string; captionRun?: boolean } | null {
  if (event.type === "cast_updated") {
    const cast = event.payload.cast;
    return isRecord(cast) && typeof cast.id === "string" ? { id: cast.id, captionRun: typeof cast.captionSetId === "string" } : null;
  }
  if (!event.type.startsWith("session_")) return null;
  const session = event.payload.session;
  const castId = isRecord(session) ? session.castId : null;
  return typeof castId === "string" && UUID.test(castId) ? { id: castId } : null;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null;
