import type { TRPCClient } from "@trpc/client";
import { TRPCClientError } from "@trpc/client";

import type { AppRouter } from "./types.js";

type StreamSubscribe = TRPCClient<AppRouter>["events"]["stream"]["subscribe"];
/** One item of `events.stream` as the client receives it: tracked log events arrive as `{ id, data }`. */
export type StreamItem = Parameters<NonNullable<Parameters<StreamSubscribe>[1]["onData"]>>[0];
type StreamEnvelope = Extract<StreamItem, { id: string; data: unknown }>;
/** An event of the stream itself: a log event, the first `cursor`, or live `progress`. */
export type StreamEvent = StreamEnvelope["data"] | Exclude<StreamItem, StreamEnvelope>;
/** The events a follower sees: log events and live progress (not the cursor). */
export type SessionEvent = Exclude<StreamEvent, { type: "cursor" }>;
/** A stored event of the log (session, cast, caption…), with its id and payload snapshot. */
export type LogEvent = Exclude<SessionEvent, { type: "progress" }>;

export class WaitForTimeoutError extends Error {
  override readonly name = "WaitForTimeoutError";
}

/** Errors that waiting longer cannot fix: a revoked key, someone else's or an unknown subject, bad input. */
const FATAL_CODES = new Set(["UNAUTHORIZED", "FORBIDDEN", "NOT_FOUND", "BAD_REQUEST"]);
export function isFatalClientError(err: unknown): err is TRPCClientError<AppRouter> {
  return err instanceof TRPCClientError && typeof err.data?.code === "string" && FATAL_CODES.has(err.data.code);
}

/** A safety net beside the stream; its timer also keeps a Node process alive while waiting. */
const POLL_MS = 15_000;
const MAX_BACKOFF_MS = 5_000;
/**
 * How long a follow whose check already read the outcome waits for the live stream to deliver it
 * as events, so `onEvent` sees the terminal event too (it is committed with the status).
 */
const STREAM_GRACE_MS = 2_000;

function isEnvelope(item: StreamItem): item is StreamEnvelope {
  return "data" in item && "id" in item;
}

export interface FollowOptions<T> {
  /** Replay from this event id (a `cursor()` taken before the work was started). */
  after?: string | null;
  /** Stops following: the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Rejects with a `WaitForTimeoutError` carrying `timeoutMessage` after this long. */
  timeoutMs?: number;
  timeoutMessage: string;
  /** Each log or progress event (never the cursor), in order, once each; a non-null value ends the follow with it. */
  onEvent(event: SessionEvent): T | null;
  /**
   * Reads the current state: after the stream's first item (so work that ended before the stream
   * opened is seen), on every poll and before each reopen. A non-null value ends the follow; a
   * fatal client error rejects it; any other error is left to the stream or the next check.
   */
  check(): Promise<T | null>;
}

/**
 * Follows the caller's `events.stream` until `onEvent` or `check` returns a value, and resolves
 * once with it. tRPC resumes a dropped connection with `Last-Event-ID` itself; a stream that ends
 * or fails for good is reopened (with backoff) from the last id seen.
 */
export function followEvents<T>(trpc: TRPCClient<AppRouter>, options: FollowOptions<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    let lastEventId: string | null = options.after ?? null;
    let connection = 0;
    let failures = 0;
    let unsubscribe: (() => void) | null = null;
    let retryTimer: ReturnType<typeof setTimeout> | null = null;
    // Replaying from `after`, an outcome a check reads is also on its way as events (written in
    // the same transaction; a reopened stream replays from the last id seen), so the follow waits
    // a moment for them. Without `after`, events from before the stream opened never come.
    const replaying = options.after != null;
    let pending: { value: T } | null = null;
    let graceTimer: ReturnType<typeof setTimeout> | null = null;

    const cleanup = () => {
      clearInterval(poll);
      if (graceTimer) clearTimeout(graceTimer);
      if (timeout) clearTimeout(timeout);
      if (retryTimer) clearTimeout(retryTimer);
      options.signal?.removeEventListener("abort", onAbort);
      connection++; // callbacks of the closed subscription are ignored from here on
      const stop = unsubscribe;
      unsubscribe = null;
      stop?.();
    };
    const finish = (outcome: { value: T } | { error: unknown }) => {
      if (settled) return;
      settled = true;
      cleanup();
      if ("value" in outcome) resolve(outcome.value);
      else reject(outcome.error);
    };
    const onAbort = () => finish({ error: options.signal?.reason ?? new Error("aborted") });

    /** Ends with what a check read, once the stream has had a moment to deliver the same outcome as events. */
    const settleFromCheck = (value: T) => {
      if (!replaying) return finish({ value });
      const held = (pending ??= { value });
      graceTimer ??= setTimeout(() => finish(held), STREAM_GRACE_MS);
    };
    /** A stream that stops while a checked outcome waits for its events: stop waiting. */
    const streamStopped = () => {
      if (pending) finish(pending);
    };

    const check = async () => {
      try {
        const value = await options.check();
        if (value !== null && !settled) settleFromCheck(value);
      } catch (err) {
        if (isFatalClientError(err)) finish({ error: err });
        // Anything else (network, 5xx) is transient: the stream or the next check will do.
      }
    };

    const resubscribe = () => {
      if (settled || retryTimer) return;
      const delay = Math.min(250 * 2 ** failures, MAX_BACKOFF_MS);
      failures++;
      retryTimer = setTimeout(() => {
        retryTimer = null;
        void check().then(() => subscribe());
      }, delay);
    };

    const subscribe = () => {
      if (settled) return;
      const mine = ++connection;
      let checked = false;
      const current = () => mine === connection && !settled;
      const sub = trpc.events.stream.subscribe(
        { lastEventId },
        {
          onData(item) {
            if (!current()) return;
            failures = 0;
            const event: StreamEvent = isEnvelope(item) ? item.data : item;
            if (isEnvelope(item)) lastEventId = item.id;
            if (event.type !== "cursor") {
              let value: T | null;
              try {
                value = options.onEvent(event);
              } catch (err) {
                return finish({ error: err });
              }
              if (value !== null) return finish({ value });
            }
            if (!checked) {
              checked = true;
              void check();
            }
          },
          onError(err) {
            if (!current()) return;
            unsubscribe = null;
            if (isFatalClientError(err)) return finish({ error: err });
            streamStopped();
            resubscribe();
          },
          onComplete() {
            if (!current()) return;
            unsubscribe = null;
            streamStopped();
            resubscribe();
          },
        },
      );
      unsubscribe = () => sub.unsubscribe();
    };

    const poll = setInterval(() => void check(), POLL_MS);
    const timeout =
      options.timeoutMs === undefined ? null : setTimeout(() => finish({ error: new WaitForTimeoutError(options.timeoutMessage) }), options.timeoutMs);
    if (options.signal?.aborted) return onAbort();
    options.signal?.addEventListener("abort", onAbort, { once: true });
    subscribe();
  });
}

/** Opens the event stream without a cursor: its first item is the caller's newest event id. */
export function readCursor(trpc: TRPCClient<AppRouter>): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    let done = false;
    const sub = trpc.events.stream.subscribe(
      { lastEventId: null },
      {
        onData(item) {
          if (done || !isEnvelope(item) || item.data.type !== "cursor") return;
          done = true;
          resolve(item.id);
          queueMicrotask(() => sub.unsubscribe());
        },
        onError(err) {
          if (done) return;
          done = true;
          reject(err);
        },
      },
    );
  });
}
