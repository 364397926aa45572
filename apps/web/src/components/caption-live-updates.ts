"use client";

import { useQueryClient } from "@tanstack/react-query";

import type { CaptionSetSnapshot, CaptionSnapshot } from "@spellcast/core/captions/schema";
import { captionEventPayloadSchema, captionSetEventPayloadSchema } from "@spellcast/core/captions/schema";

import { useTRPC } from "~/trpc/react";

import type { CaptionSetData } from "./caption-cache";
import { mergeCaptions, newer } from "./caption-cache";
import { useStreamEvent } from "./event-stream-provider";
import { useFrameBatch } from "./use-frame-batch";

/** What one event brings: a caption with its set (`caption_updated`), or the set alone. */
interface Landed {
  caption: CaptionSnapshot | null;
  set: CaptionSetSnapshot;
}

/**
 * Patches `captions.get` for one set from the tab's event stream, once a frame with everything
 * that arrived since the last (a 5,000-image run lands hundreds of captions a second); a fresh
 * stream refetches once.
 */
export function useCaptionLiveUpdates(setId: string | null) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const key = setId ? trpc.captions.get.queryKey({ setId }) : null;
  /**
   * An event that lands while the first read is loading (or in flight again) would be overwritten
   * by that read's older answer: read again after it, so nothing that landed meanwhile is lost.
   */
  const readAgainIfLoading = () => {
    if (!key) return;
    const loaded = queryClient.getQueryData<CaptionSetData>(key) !== undefined;
    if (!loaded || queryClient.isFetching({ queryKey: key }) > 0) void queryClient.invalidateQueries({ queryKey: key });
  };
  const apply = (all: Landed[]) => {
    const landed = all.filter((l) => l.set.id === setId); // the page may have moved to another set meanwhile
    if (!key || landed.length === 0) return;
    readAgainIfLoading();
    const captions = landed.flatMap((l) => (l.caption ? [l.caption] : []));
    const set = landed.map((l) => l.set).reduce(newer);
    queryClient.setQueryData<CaptionSetData>(key, (old) => (old ? mergeCaptions(old, captions, set) : old));
    // Re-opened runs (resume, re-run failed) change rows in bulk: read them once.
    if (landed.some((l) => l.caption === null && l.set.status === "in_progress")) void queryClient.invalidateQueries({ queryKey: key });
  };
  const batch = useFrameBatch(apply);

  useStreamEvent("caption_updated", (event) => {
    const parsed = captionEventPayloadSchema.safeParse(event.payload);
    if (parsed.success && parsed.data.set.id === setId) batch.push({ caption: parsed.data.caption, set: parsed.data.set });
  });
  useStreamEvent("caption_set_updated", (event) => {
    const parsed = captionSetEventPayloadSchema.safeParse(event.payload);
    if (parsed.success && parsed.data.set.id === setId) batch.push({ caption: null, set: parsed.data.set });
  });
  useStreamEvent("cursor", () => {
    if (key) void queryClient.invalidateQueries({ queryKey: key });
  });
}
