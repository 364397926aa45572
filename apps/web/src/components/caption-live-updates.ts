"use client";

import { useQueryClient } from "@tanstack/react-query";

import { captionEventPayloadSchema, captionSetEventPayloadSchema } from "@spellcast/core/captions/schema";

import { useTRPC } from "~/trpc/react";

import type { CaptionSetData } from "./caption-cache";
import { mergeCaption, newer } from "./caption-cache";
import { useStreamEvent } from "./event-stream-provider";

/** Patches `captions.get` for one set from the tab's event stream; a fresh stream refetches once. */
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
  useStreamEvent("caption_updated", (event) => {
    const parsed = captionEventPayloadSchema.safeParse(event.payload);
    if (!key || !parsed.success || parsed.data.set.id !== setId) return;
    readAgainIfLoading();
    queryClient.setQueryData<CaptionSetData>(key, (old) => (old ? mergeCaption(old, parsed.data.caption, parsed.data.set) : old));
  });
  useStreamEvent("caption_set_updated", (event) => {
    const parsed = captionSetEventPayloadSchema.safeParse(event.payload);
    if (!key || !parsed.success || parsed.data.set.id !== setId) return;
    readAgainIfLoading();
    queryClient.setQueryData<CaptionSetData>(key, (old) => (old ? { ...old, set: newer(old.set, parsed.data.set) } : old));
    // Re-opened runs (resume, re-run failed) change rows in bulk: read them once.
    if (parsed.data.set.status === "in_progress") void queryClient.invalidateQueries({ queryKey: key });
  });
  useStreamEvent("cursor", () => {
    if (key) void queryClient.invalidateQueries({ queryKey: key });
  });
}
