import type { TRPCClient } from "@trpc/client";
import { TRPCClientError } from "@trpc/client";

import type { AppRouter, Session, TerminalSession } from "./types.js";
import { isTerminal } from "./types.js";

type StreamSubscribe = TRPCClient<AppRouter>["events"]["stream"]["subscribe"];
/** One item of `events.stream` as the client receives it: tracked log events arrive as `{ id, data }`. */
export type StreamItem = Parameters<NonNullable<Parameters<StreamSubscribe>[1]["onData"]>>[0];
type StreamEnvelope = Extract<StreamItem, { id: string; data: unknown }>;
/** An event of the stream itself: a log event, the first `cursor`, or live `progress`. */
export type StreamEvent = StreamEnvelope["data"] | Exclude<StreamItem, StreamEnvelope>;
/** The events `waitFor` reports for its session: log events and live progress (not the cursor). */
export type SessionEvent = Exclude<StreamEvent, { type: "cursor" }>;

export interface WaitForOptions {
  /** Stops waiting: the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Rejects with a `WaitForTimeoutError` after this long. */
  timeoutMs?: number;
  /** Called for each event of this session, in order (log events once each, progress as it comes). */
  onEvent?: (event: SessionEvent) => void;
  /**
   * Replay from this event id (from `client.cursor()` taken before the session was created), so
   * `onEvent` sees every event of the session even when it ends before the stream opens.
   */
  after?: string;
}

export class WaitForTimeoutError extends Error {
  override readonly name = "WaitForTimeoutError";
}

/** Errors that waiting longer cannot fix: a revoked key, someone else's or an unknown session, bad input. */
const FATAL_CODES = new Set(["UNAUTHORIZED", "FORBIDDEN", "NOT_FOUND", "BAD_REQUEST"]);
export function isFatalClientError(err: unknown): err is TRPCClientError<AppRouter> {
  return err instanceof TRPCClientError && typeof err.data?.code === "string" && FATAL_CODES.has(err.data.code);
}

/** A safety net beside the stream; its timer also keeps a Node process alive while waiting. */
const POLL_MS = 15_000;
const MAX_BACKOFF_MS = 5_000;

function isEnvelope(item: StreamItem): item is StreamEnvelope {
  return "data" in item && "id" in item;
}

/** The session snapshot a log event carries, when it is this session's. */
function sessionOf(event: StreamEvent, sessionId: string): Session | null {
  if (event.type === "cursor" || event.type === "progress" || event.subjectId !== sessionId) return null;
  const session = event.payload.session;
  if (typeof session !== "object" || session === null || !("id" in session) || !("status" in session)) return null;
  return session.id === sessionId ? (session as Session) : null;
}

/**
 * Resolves once with the terminal snapshot. Subscribes to `events.stream`, then reads the session
 * after the stream's first item (so a session that ended before the stream opened is seen, and
 * nothing after that item is missed). tRPC resumes a dropped connection with `Last-Event-ID`
 * itself; a stream that ends or fails for good is reopened from the last id seen.
 */
export function waitForSession(
  trpc: TRPCClient<AppRouter>,
  sessionId: string,
  options: WaitForOptions = {},
): Promise<TerminalSession> {
  return new Promise<TerminalSession>((resolve, reject) => {
    let settled = false;
    let lastEventId: string | null = options.after ?? null;
    let connection = 0;
    let failures = 0;
    let unsubscribe: (() => void) | null = null;
    let retryTimer: ReturnType<typeof setTimeout> | null = null;

    const cleanup = () => {
      clearInterval(poll);
      if (timeout) clearTimeout(timeout);
      if (retryTimer) clearTimeout(retryTimer);
      options.signal?.removeEventListener("abort", onAbort);
      connection++; // callbacks of the closed subscription are ignored from here on
      const stop = unsubscribe;
      unsubscribe = null;
      stop?.();
    };
    const finish = (outcome: { session: TerminalSession } | { error: unknown }) => {
      if (settled) return;
      settled = true;
      cleanup();
      if ("session" in outcome) resolve(outcome.session);
      else reject(outcome.error);
    };
    const onAbort = () => finish({ error: options.signal?.reason ?? new Error("waitFor aborted") });

    const check = async () => {
      try {
        const session = await trpc.generations.get.query({ id: sessionId });
        if (isTerminal(session)) finish({ session });
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
            if (event.type !== "cursor" && event.subjectId === sessionId) options.onEvent?.(event);
            const session = sessionOf(event, sessionId);
            if (session && isTerminal(session)) return finish({ session });
            if (!checked) {
              checked = true;
              void check();
            }
          },
          onError(err) {
            if (!current()) return;
            unsubscribe = null;
            if (isFatalClientError(err)) finish({ error: err });
            else resubscribe();
          },
          onComplete() {
            if (!current()) return;
            unsubscribe = null;
            resubscribe();
          },
        },
      );
      unsubscribe = () => sub.unsubscribe();
    };

    const poll = setInterval(() => void check(), POLL_MS);
    const timeout =
      options.timeoutMs === undefined
        ? null
        : setTimeout(
            () => finish({ error: new WaitForTimeoutError(`Session ${sessionId} did not end within ${options.timeoutMs} ms`) }),
            options.timeoutMs,
          );
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
