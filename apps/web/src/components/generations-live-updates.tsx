"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { z } from "zod";

import { sessionSnapshotSchema } from "@spellcast/core/sessions/schema";

import { useTRPC, useTRPCClient } from "~/trpc/react";

import type { StreamEventOf } from "./event-stream-provider";
import { useStreamEvent } from "./event-stream-provider";
import { hasWhatCardNeeds } from "./generation-cache";
import { useGenerationLiveStore } from "./generation-live-store";
import { readAgain } from "./live-query";
import { useApplySession } from "./use-apply-session";

const sessionEventPayloadSchema = z.object({ session: sessionSnapshotSchema });
const progressSchema = z.object({ percent: z.number().min(0).max(100), stage: z.string().optional() });

/** Reads of a session whose event did not carry what its card needs: tries, then backoff. */
const REFETCH_TRIES = 3;
const REFETCH_BASE_MS = 500;

/**
 * Keeps generation caches live from the tab's one event stream (handlers on the shared
 * connection, no second subscription): each session event's snapshot patches the list and the
 * details at once, with no debounce; progress goes to the live store; a fresh stream (its cursor)
 * refetches the list once, covering anything committed before it opened.
 */
export function GenerationsLiveUpdates() {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const store = useGenerationLiveStore();
  const apply = useApplySession();
  const timers = useRef(new Set<ReturnType<typeof setTimeout>>());

  useEffect(() => {
    const pending = timers.current;
    return () => {
      for (const t of pending) clearTimeout(t);
      pending.clear();
    };
  }, []);

  const refetchSession = (sessionId: string, attempt = 0) => {
    client.generations.get
      .query({ id: sessionId })
      .then((session) => {
        if (hasWhatCardNeeds(session) || attempt + 1 >= REFETCH_TRIES) apply(session);
        else retry(sessionId, attempt);
      })
      .catch(() => retry(sessionId, attempt));
  };
  const retry = (sessionId: string, attempt: number) => {
    if (attempt + 1 >= REFETCH_TRIES) return;
    const t = setTimeout(() => {
      timers.current.delete(t);
      refetchSession(sessionId, attempt + 1);
    }, REFETCH_BASE_MS * 2 ** attempt);
    timers.current.add(t);
  };

  const onSessionEvent = (event: StreamEventOf<"session_completed">) => {
    const parsed = sessionEventPayloadSchema.safeParse(event.payload);
    if (parsed.success) apply(parsed.data.session);
    if (!parsed.success || !hasWhatCardNeeds(parsed.data.session)) refetchSession(event.subjectId);
  };
  useStreamEvent("session_created", onSessionEvent);
  useStreamEvent("session_running", onSessionEvent);
  useStreamEvent("session_attempt_failed", onSessionEvent);
  useStreamEvent("session_completed", onSessionEvent);

  useStreamEvent("progress", (event) => {
    const raw = typeof event.progress === "number" ? { percent: event.progress } : event.progress;
    const parsed = progressSchema.safeParse(raw);
    if (parsed.success) store.setProgress(event.subjectId, parsed.data);
  });

  useStreamEvent("cursor", () => {
    readAgain(queryClient, { queryKey: trpc.generations.list.pathKey() });
  });

  return null;
}
