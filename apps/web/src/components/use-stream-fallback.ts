"use client";

import { useEventStreamStatus } from "./event-stream-provider";

/** While the event stream is down (or not open yet), what it keeps fresh is refetched this often. */
export const STREAM_FALLBACK_POLL_MS = 10_000;

/**
 * The `refetchInterval` for a query that events keep live: none while the stream is connected
 * (the events patch it), a poll while it is not, so the page still moves without the stream.
 */
export function useStreamFallbackInterval(): number | false {
  return useEventStreamStatus() === "connected" ? false : STREAM_FALLBACK_POLL_MS;
}
