"use client";

import { useQueries } from "@tanstack/react-query";

import { isTerminalStatus } from "@spellcast/core/sessions/schema";
import type { SessionSnapshot } from "@spellcast/core/sessions/schema";

import { useTRPC } from "~/trpc/react";

import { mergeSnapshot } from "./generation-cache";
import type { GenerationProgress } from "./generation-live-store";
import { useGenerationLive } from "./generation-live-store";
import { useStreamFallbackInterval } from "./use-stream-fallback";

export interface CastStepSessions {
  sessionOf: (id: string) => SessionSnapshot | undefined;
  progressOf: (id: string) => GenerationProgress | undefined;
  error: unknown;
}

/**
 * The sessions of a cast's steps: each read once (or already put in the cache by its events; polled
 * while the stream is down and the step is open), with
 * the newest snapshot the stream announced winning over whatever a read returned, so an answer
 * that left the server before an event committed never shows a stale status.
 */
export function useCastStepSessions(stepIds: readonly string[]): CastStepSessions {
  const trpc = useTRPC();
  const live = useGenerationLive();
  const fallback = useStreamFallbackInterval();
  // Without the stream a step still open is read again now and then; a settled one never changes.
  const results = useQueries({
    queries: stepIds.map((id) => ({
      ...trpc.generations.get.queryOptions({ id }),
      refetchInterval: (q: { state: { data?: SessionSnapshot } }) => (q.state.data && !isTerminalStatus(q.state.data.status) ? fallback : false),
    })),
  });
  const byId = new Map<string, SessionSnapshot>();
  stepIds.forEach((id, i) => {
    const read = results[i]?.data;
    const known = live.knownOf(id);
    const session = read && known ? mergeSnapshot(read, known) : (read ?? known);
    if (session) byId.set(id, session);
  });
  return {
    sessionOf: (id) => byId.get(id),
    progressOf: (id) => live.progressOf(id),
    error: results.find((r) => r.error)?.error ?? null,
  };
}
