"use client";

import { useQueryClient } from "@tanstack/react-query";

import type { CaptionSetSnapshot, CaptionSnapshot } from "@spellcast/core/captions/schema";
import { captionEventPayloadSchema, captionSetEventPayloadSchema } from "@spellcast/core/captions/schema";

import { useTRPC } from "~/trpc/react";

import { mergeCaptions, mergeRuns, newer } from "./caption-cache";
import { useStreamEvent } from "./event-stream-provider";
import { patchQuery, readAgain } from "./live-query";
import { useFrameBatch } from "./use-frame-batch";

/** What one event brings: a caption with its set (`caption_updated`), or the set alone. */
interface Landed {
  caption: CaptionSnapshot | null;
  set: CaptionSetSnapshot;
}

/**
 * The caption runs' events of the tab's stream that `matches` keeps, handed over once a frame
 * (a 5,000-image run lands hundreds of captions a second); `onFreshStream` when a fresh stream
 * starts (what happened before it is not replayed).
 */
function useCaptionEvents(matches: (set: CaptionSetSnapshot) => boolean, apply: (landed: Landed[]) => void, onFreshStream: () => void) {
  const batch = useFrameBatch(apply);
  useStreamEvent("caption_updated", (event) => {
    const parsed = captionEventPayloadSchema.safeParse(event.payload);
    if (parsed.success && matches(parsed.data.set)) batch.push({ caption: parsed.data.caption, set: parsed.data.set });
  });
  useStreamEvent("caption_set_updated", (event) => {
    const parsed = captionSetEventPayloadSchema.safeParse(event.payload);
    if (parsed.success && matches(parsed.data.set)) batch.push({ caption: null, set: parsed.data.set });
  });
  useStreamEvent("cursor", onFreshStream);
}

/**
 * Patches `captions.get` for one set from the tab's event stream while the page is open. Its
 * query must be read again when the page opens again (`staleTime: 0`): what landed while it was
 * closed reached no handler.
 */
export function useCaptionLiveUpdates(setId: string | null) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const key = setId ? trpc.captions.get.queryKey({ setId }) : null;
  const apply = (all: Landed[]) => {
    const landed = all.filter((l) => l.set.id === setId); // the page may have moved to another set meanwhile
    if (!key || landed.length === 0) return;
    const captions = landed.flatMap((l) => (l.caption ? [l.caption] : []));
    const set = landed.map((l) => l.set).reduce(newer);
    patchQuery(queryClient, key, (old) => (old ? mergeCaptions(old, captions, set) : old));
    // Re-opened runs (resume, re-run failed) change rows in bulk: read them once.
    if (landed.some((l) => l.caption === null && l.set.status === "in_progress")) readAgain(queryClient, { queryKey: key, exact: true });
  };
  useCaptionEvents(
    (set) => set.id === setId,
    apply,
    () => {
      if (key) readAgain(queryClient, { queryKey: key, exact: true });
    },
  );
}

/**
 * Keeps a dataset's list of runs (`captions.list`: status and counts) up to date while it is
 * shown; a run it does not list yet (started in another tab) reads the list again.
 */
export function useCaptionRunsLiveUpdates(datasetId: string) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const key = trpc.captions.list.queryKey({ datasetId });
  const readListAgain = () => readAgain(queryClient, { queryKey: key, exact: true });
  useCaptionEvents(
    (set) => set.datasetId === datasetId,
    (landed) => {
      const sets = landed.map((l) => l.set);
      // Not read yet, or a run it does not hold: the list is read (again, after a read in flight).
      const held = queryClient.getQueryData(key);
      if (!held || mergeRuns(held, sets).unknown) readListAgain();
      patchQuery(queryClient, key, (old) => (old ? mergeRuns(old, sets).runs : old));
    },
    readListAgain,
  );
}
