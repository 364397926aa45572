import type { TRPCClient } from "@trpc/client";

import type { SessionEvent, StreamEvent } from "./follow-events.js";
import { followEvents } from "./follow-events.js";
import type { AppRouter, Session, TerminalSession } from "./types.js";
import { isTerminal } from "./types.js";

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

/** The session snapshot a log event carries, when it is this session's. */
function sessionOf(event: StreamEvent, sessionId: string): Session | null {
  if (event.type === "cursor" || event.type === "progress" || event.subjectId !== sessionId) return null;
  const session = event.payload.session;
  if (typeof session !== "object" || session === null || !("id" in session) || !("status" in session)) return null;
  return session.id === sessionId ? (session as Session) : null;
}

/**
 * Resolves once with the terminal snapshot: follows the event stream (see `followEvents`) and
 * reads the session after the stream's first item, so a session that ended before the stream
 * opened is seen too.
 */
export function waitForSession(
  trpc: TRPCClient<AppRouter>,
  sessionId: string,
  options: WaitForOptions = {},
): Promise<TerminalSession> {
  return followEvents<TerminalSession>(trpc, {
    after: options.after,
    signal: options.signal,
    timeoutMs: options.timeoutMs,
    timeoutMessage: `Session ${sessionId} did not end within ${options.timeoutMs} ms`,
    onEvent(event) {
      if (event.subjectId === sessionId) options.onEvent?.(event);
      const session = sessionOf(event, sessionId);
      return session && isTerminal(session) ? session : null;
    },
    async check() {
      const session = await trpc.generations.get.query({ id: sessionId });
      return isTerminal(session) ? session : null;
    },
  });
}
