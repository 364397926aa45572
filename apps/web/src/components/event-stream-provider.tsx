"use client";

import { TRPCClientError } from "@trpc/client";
import type { ReactNode } from "react";
import { createContext, useContext, useEffect, useMemo, useRef, useState } from "react";
import { z } from "zod";

// Types only: the browser bundle must never pull in server code.
import type { CursorStreamEvent, LogStreamEvent, ProgressStreamEvent } from "@spellcast/core";

import { useTRPCClient } from "~/trpc/react";

/**
 * `connecting`: first connection not up yet; `connected`: events flow; `reconnecting`: the stream
 * dropped and is being resumed from the last event id; `offline`: no stream (none mounted, or the
 * server refused it). Anything but `connected` means: poll what must stay fresh.
 */
export type StreamStatus = "connecting" | "connected" | "reconnecting" | "offline";

type StreamEventType = LogStreamEvent["type"] | "cursor" | "progress";
export type StreamEventOf<T extends StreamEventType> = T extends "cursor"
  ? CursorStreamEvent
  : T extends "progress"
    ? ProgressStreamEvent
    : LogStreamEvent;
type Handler<T extends StreamEventType = StreamEventType> = (event: StreamEventOf<T>) => void;

interface EventStreamContextValue {
  status: StreamStatus;
  /** Registers a handler for one event type; returns its removal. */
  subscribe: <T extends StreamEventType>(type: T, handler: Handler<T>) => () => void;
  /** Asks for a caption-run cast's step events (the stream leaves the others out); returns its removal. */
  follow: (castId: string) => () => void;
  /** The caption-run casts whose step events the stream carries, sorted. */
  followed: readonly string[];
  /** For the connection: the current handlers and the status setter. */
  handlersFor: (type: StreamEventType) => Iterable<Handler>;
  setStatus: (status: StreamStatus) => void;
}

const EventStreamContext = createContext<EventStreamContextValue>({
  status: "offline",
  subscribe: () => () => {},
  follow: () => () => {},
  followed: [],
  handlersFor: () => [],
  setStatus: () => {},
});

const MAX_BACKOFF_MS = 30_000;
/** The server's limit on followed casts (a tab shows one cast page at a time). */
const MAX_FOLLOWED = 50;
// The server's own check of a followed id: anything it would refuse must not be sent.
const castIdSchema = z.string().uuid();

function isAuthError(err: unknown): boolean {
  if (!(err instanceof TRPCClientError)) return false;
  const data: unknown = err.data;
  const code = typeof data === "object" && data !== null && "code" in data ? data.code : undefined;
  return code === "UNAUTHORIZED" || code === "FORBIDDEN";
}

/**
 * The tab's registry of event handlers and the stream's status. It opens nothing itself: the
 * signed-in layout mounts `EventStreamConnection` inside it. It sits at the root so the header
 * (outside that layout) knows whether the stream is live.
 */
export function EventStreamProvider({ children }: { children: ReactNode }) {
  const [status, setStatus] = useState<StreamStatus>("offline");
  const [followed, setFollowed] = useState<readonly string[]>([]);
  const [registry] = useState(() => {
    const handlers = new Map<StreamEventType, Set<Handler>>();
    const follows = new Map<string, number>();
    const publish = () => {
      const next = [...follows.keys()].sort().slice(0, MAX_FOLLOWED);
      setFollowed((prev) => (prev.join() === next.join() ? prev : next));
    };
    const follow = (castId: string) => {
      if (!castIdSchema.safeParse(castId).success) return () => {}; // a mistyped address must not get the whole stream refused
      follows.set(castId, (follows.get(castId) ?? 0) + 1);
      publish();
      return () => {
        const left = (follows.get(castId) ?? 1) - 1;
        if (left > 0) follows.set(castId, left);
        else follows.delete(castId);
        publish();
      };
    };
    const subscribe: EventStreamContextValue["subscribe"] = (type, handler) => {
      const set = handlers.get(type) ?? new Set<Handler>();
      handlers.set(type, set);
      const h = handler as Handler; // the connection only ever calls it with events of `type`
      set.add(h);
      return () => set.delete(h);
    };
    return { subscribe, follow, handlersFor: (type: StreamEventType): Iterable<Handler> => handlers.get(type) ?? [] };
  });
  const value = useMemo(() => ({ ...registry, followed, status, setStatus }), [registry, followed, status]);
  return <EventStreamContext.Provider value={value}>{children}</EventStreamContext.Provider>;
}

/**
 * The tab's one `events.stream` subscription (mount it once, for signed-in pages). tRPC's SSE
 * link resumes a dropped connection itself, sending the last tracked id; if the subscription ends
 * for good (a non-retryable error, the server's max duration), this restarts it from the same id
 * after a backoff, so no event is lost either way. Each event goes to the handlers of its type.
 * Caption runs' step events (thousands a minute) come only for the casts a page follows: when
 * that list changes, the subscription is reopened from the last event id.
 */
export function EventStreamConnection() {
  const client = useTRPCClient();
  const { handlersFor, setStatus, followed } = useContext(EventStreamContext);
  const lastEventId = useRef<string | null>(null);
  const following = useRef(followed);
  const reopen = useRef<() => void>(() => {});

  useEffect(() => {
    let disposed = false;
    let everConnected = false;
    let failures = 0;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let subscription: { unsubscribe: () => void } | null = null;
    // Callbacks of a subscription replaced by a reopen are ignored.
    let generation = 0;

    const dispatch = (event: StreamEventOf<StreamEventType>) => {
      for (const handler of handlersFor(event.type)) {
        try {
          handler(event);
        } catch (err) {
          console.error(`event handler for ${event.type} failed`, err);
        }
      }
    };

    const restartLater = () => {
      subscription = null;
      if (disposed) return;
      setStatus(everConnected ? "reconnecting" : "connecting");
      const delay = Math.min(1_000 * 2 ** failures, MAX_BACKOFF_MS);
      failures += 1;
      retry = setTimeout(start, delay);
    };

    function start() {
      const mine = ++generation;
      const current = () => !disposed && mine === generation;
      subscription = client.events.stream.subscribe(
        { lastEventId: lastEventId.current, captionRunSteps: { follow: [...following.current] } },
        {
          onConnectionStateChange: (state) => {
            if (!current()) return;
            if (state.state === "pending") {
              everConnected = true;
              failures = 0;
              setStatus("connected");
            } else if (state.state === "connecting") {
              setStatus(everConnected ? "reconnecting" : "connecting");
            }
          },
          onData: (item) => {
            if (!current()) return;
            if ("id" in item && "data" in item) {
              lastEventId.current = item.id;
              dispatch(item.data);
            } else {
              dispatch(item);
            }
          },
          onError: (err) => {
            if (!current()) return;
            if (!isAuthError(err)) return restartLater();
            subscription = null;
            setStatus("offline");
          },
          onComplete: () => {
            if (current()) restartLater();
          },
        },
      );
    }
    reopen.current = () => {
      clearTimeout(retry);
      generation += 1;
      subscription?.unsubscribe();
      start();
    };

    setStatus("connecting");
    start();
    return () => {
      disposed = true;
      reopen.current = () => {};
      clearTimeout(retry);
      subscription?.unsubscribe();
      setStatus("offline");
    };
  }, [client, handlersFor, setStatus]);

  useEffect(() => {
    if (following.current === followed) return;
    following.current = followed;
    reopen.current();
  }, [followed]);

  return null;
}

/** The tab's stream state; `offline` while no connection is mounted (signed-out pages). */
export function useEventStreamStatus(): StreamStatus {
  return useContext(EventStreamContext).status;
}

/** Calls `handler` for each event of `type` while mounted; the latest handler is always used. */
export function useStreamEvent<T extends StreamEventType>(type: T, handler: Handler<T>) {
  const { subscribe } = useContext(EventStreamContext);
  const latest = useRef(handler);
  useEffect(() => {
    latest.current = handler;
  });
  useEffect(() => subscribe(type, (event) => latest.current(event)), [subscribe, type]);
}

/** While mounted, the tab's stream carries this cast's step events even when it belongs to a caption run. */
export function useFollowCastSteps(castId: string) {
  const { follow } = useContext(EventStreamContext);
  useEffect(() => follow(castId), [follow, castId]);
}
