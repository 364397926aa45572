"use client";

import { useQueryClient } from "@tanstack/react-query";
import { z } from "zod";

import { sessionSnapshotSchema } from "@spellcast/core/sessions/schema";
import { castSnapshotSchema } from "@spellcast/core/spells/schema";

import { useTRPC } from "~/trpc/react";

import type { CastsData } from "./cast-cache";
import { castWithStep, missesStepsBefore, patchCastPagesWithStep } from "./cast-cache";
import type { StreamEventOf } from "./event-stream-provider";
import { useStreamEvent } from "./event-stream-provider";
import { mergeSnapshot } from "./generation-cache";
import { patchQueries, patchQuery, readAgain } from "./live-query";
import { useApplyCast } from "./use-apply-cast";

const castEventPayloadSchema = z.object({ cast: castSnapshotSchema });
const sessionEventPayloadSchema = z.object({ session: sessionSnapshotSchema });

/**
 * Keeps cast caches live from the tab's one event stream: `cast_updated` carries the cast's
 * snapshot; a step moving on is announced only by its session's events, which place the step in
 * its cast and put the step's snapshot where the cast page reads it. A fresh stream (its cursor)
 * reads the casts again once, covering anything committed before it opened.
 */
export function CastsLiveUpdates() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const applyCast = useApplyCast();

  useStreamEvent("cast_updated", (event) => {
    const parsed = castEventPayloadSchema.safeParse(event.payload);
    if (parsed.success) applyCast(parsed.data.cast);
    else void queryClient.invalidateQueries({ queryKey: trpc.casts.pathKey() });
  });

  const onStepEvent = (event: StreamEventOf<"session_created">) => {
    const parsed = sessionEventPayloadSchema.safeParse(event.payload);
    if (!parsed.success) return;
    const session = parsed.data.session;
    const castId = session.castId;
    if (castId === null) return;
    patchQueries<CastsData>(queryClient, { queryKey: trpc.casts.list.infiniteQueryKey() }, (data) => patchCastPagesWithStep(data, session));
    const castKey = trpc.casts.get.queryKey({ castId });
    // Only a cast this tab holds or is reading (a caption run's thousands of steps are not kept here).
    patchQuery(queryClient, castKey, (cast) => (cast && !missesStepsBefore(cast, session) ? castWithStep(cast, session) : cast));
    const cast = queryClient.getQueryData(castKey);
    if (!cast) return;
    if (missesStepsBefore(cast, session)) readAgain(queryClient, { queryKey: castKey, exact: true });
    patchQuery(queryClient, trpc.generations.get.queryKey({ id: session.id }), (current) => mergeSnapshot(current, session));
  };
  useStreamEvent("session_created", onStepEvent);
  useStreamEvent("session_running", onStepEvent);
  useStreamEvent("session_attempt_failed", onStepEvent);
  useStreamEvent("session_completed", onStepEvent);

  useStreamEvent("cursor", () => {
    readAgain(queryClient, { queryKey: trpc.casts.pathKey() });
  });

  return null;
}
