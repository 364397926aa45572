import type { TRPCClient } from "@trpc/client";

import { randomClientKey } from "./client-key.js";
import { retryCreate } from "./retry-create.js";
import type { SessionEvent, StreamEvent } from "./follow-events.js";
import { followEvents, readCursor } from "./follow-events.js";
import type { AppRouter, Cast, CastSpellInput, TerminalCast } from "./types.js";
import { isTerminalCast } from "./types.js";

export interface CastSpellOptions {
  /** Stops waiting (the cast goes on): the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Rejects with a `WaitForTimeoutError` after this long (the cast goes on). */
  timeoutMs?: number;
  /** Each event of this cast and of its step sessions, in order (log events once each, progress as it comes). */
  onEvent?: (event: SessionEvent) => void;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null;

/** The cast snapshot a `cast_updated` event carries, when it is this cast's. */
function castOf(event: StreamEvent, castId: string): Cast | null {
  if (event.type !== "cast_updated" || event.subjectId !== castId) return null;
  const cast = event.payload.cast;
  return isObject(cast) && cast.id === castId && typeof cast.status === "string" ? (cast as Cast) : null;
}

/**
 * Casts a spell on one input and resolves once with the ended cast: `completed` with its
 * `output`, or `failed` with `errorDetails` (the failing step's provider message, refund and
 * `failedStep`). The cursor is taken before the cast is created, so no event is missed.
 * The create carries `input.clientKey`, or one generated for this call, and is sent again (up to
 * three times) when its response is lost: the server returns the cast that key already made
 * instead of casting (and charging) again.
 */
export async function castSpell(trpc: TRPCClient<AppRouter>, input: CastSpellInput, options: CastSpellOptions = {}): Promise<TerminalCast> {
  const after = await readCursor(trpc);
  const request = { ...input, clientKey: input.clientKey ?? randomClientKey() };
  const created = await retryCreate(() => trpc.casts.create.mutate(request));
  if (isTerminalCast(created)) return created;
  const castId = created.id;
  // Step sessions announce themselves with session events carrying the cast id; their progress follows.
  const steps = new Set(created.stepGenerationIds);
  return followEvents<TerminalCast>(trpc, {
    after,
    signal: options.signal,
    timeoutMs: options.timeoutMs,
    timeoutMessage: `Cast ${castId} did not end within ${options.timeoutMs} ms`,
    onEvent(event) {
      if (event.type !== "progress" && isObject(event.payload.session) && event.payload.session.castId === castId) steps.add(event.subjectId);
      if (event.subjectId === castId || steps.has(event.subjectId)) options.onEvent?.(event);
      const cast = castOf(event, castId);
      return cast && isTerminalCast(cast) ? cast : null;
    },
    async check() {
      const cast = await trpc.casts.get.query({ castId });
      return isTerminalCast(cast) ? cast : null;
    },
  });
}
