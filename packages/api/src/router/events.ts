import type { TRPCRouterRecord } from "@trpc/server";
import { tracked, TRPCError } from "@trpc/server";
import { z } from "zod";

import type { Caller, CursorStreamEvent, EphemeralStreamEvent, LogStreamEvent } from "@spellcast/core";
import { readEventsAfter, readLatestEventId, toLogStreamEvent } from "@spellcast/core";

import type { Context } from "../context";
import { toTRPCError } from "../errors";
import { captionRunStepsSchema, createStepScope } from "./event-scope";
import { protectedProcedure } from "../trpc";

/** Rows per read; a backlog is read in batches of this many, ascending. */
export const EVENTS_BATCH = 500;
/** Ephemeral items held for a slow consumer; older ones are dropped (progress: newest wins). */
const EPHEMERAL_BACKLOG = 100;
const MAX_EVENT_ID = 9_223_372_036_854_775_807n;
/** An API-key stream re-checks its key this often, and before each read of the log. */
export const STREAM_AUTH_RECHECK_MS = 30_000;

export const eventsStreamInputSchema = z.object({
  lastEventId: z.string().regex(/^\d+$/).nullish(),
  captionRunSteps: captionRunStepsSchema,
});

/** Wraps a database read: a failure ends the stream with a 503, which clients retry and resume. */
async function guardRead<T>(ctx: Context, userId: string, read: Promise<T>): Promise<T> {
  try {
    return await read;
  } catch (err) {
    ctx.logger.error({ err, userId }, "events.stream.read.failed");
    throw new TRPCError({ code: "SERVICE_UNAVAILABLE", message: "Event log unavailable, reconnect", cause: err });
  }
}

/**
 * A stream opened with an API key ends (UNAUTHORIZED, which clients do not retry) once the key is
 * revoked or its user suspended; a database hiccup during the check is a 503 (clients resume).
 */
async function assertStillAuthorized(ctx: Context & { caller: Caller }): Promise<void> {
  if (ctx.caller.via !== "api_key") return;
  let caller: Caller | null;
  try {
    caller = await ctx.revalidateCaller();
  } catch (err) {
    const mapped = toTRPCError(err);
    if (mapped.code === "UNAUTHORIZED" || mapped.code === "FORBIDDEN") {
      ctx.logger.info({ userId: ctx.caller.id, code: mapped.code }, "events.stream.key_rejected");
      throw mapped;
    }
    ctx.logger.error({ err, userId: ctx.caller.id }, "events.stream.auth_check.failed");
    throw new TRPCError({ code: "SERVICE_UNAVAILABLE", message: "Could not re-check the API key, reconnect", cause: err });
  }
  if (caller?.id !== ctx.caller.id) throw new TRPCError({ code: "UNAUTHORIZED", message: "This API key is no longer valid" });
}

export const eventsRouter = {
  /**
   * The caller's own event log, live: listen first, backfill after `lastEventId`, then re-read
   * after the last yielded id on every wake-up. Log rows are `tracked(id, event)`; without
   * `lastEventId` a tracked cursor comes first; ephemeral progress is yielded untracked.
   * `captionRunSteps` can leave out caption runs' step events (event-scope.ts).
   */
  stream: protectedProcedure.input(eventsStreamInputSchema).subscription(async function* ({ ctx, input, signal }) {
    const userId = ctx.caller.id;
    const hub = ctx.eventHub;
    const inScope = createStepScope(ctx.db, userId, input.captionRunSteps);
    let cursor: bigint | null = input.lastEventId == null ? null : BigInt(input.lastEventId);
    if (cursor !== null && cursor > MAX_EVENT_ID) throw new TRPCError({ code: "BAD_REQUEST", message: "lastEventId out of range" });

    // Per-subscriber state: a "log may have grown" flag, a waiter, a small ephemeral queue.
    let logPending = true;
    let authCheckDue = false;
    let waiter: (() => void) | null = null;
    const ephemeral: EphemeralStreamEvent[] = [];
    const resume = () => {
      const w = waiter;
      waiter = null;
      w?.();
    };
    const wake = () => {
      logPending = true;
      resume();
    };
    const onEphemeral = (event: EphemeralStreamEvent) => {
      if (ephemeral.push(event) > EPHEMERAL_BACKLOG) ephemeral.shift();
      resume();
    };

    if (hub.closed) throw new TRPCError({ code: "SERVICE_UNAVAILABLE", message: "Server is shutting down, reconnect" });
    const unsubscribe = hub.subscribe(userId, wake, onEphemeral);
    signal?.addEventListener("abort", resume);
    const authTimer = setInterval(() => {
      authCheckDue = true;
      resume();
    }, STREAM_AUTH_RECHECK_MS);
    authTimer.unref();
    try {
      // LISTEN must be up before the first read, or a commit in between would go unannounced.
      await hub.ready().catch((err: unknown) => {
        throw new TRPCError({ code: "SERVICE_UNAVAILABLE", message: "Event listener unavailable, reconnect", cause: err });
      });

      if (cursor === null) {
        // A fresh stream starts at the latest id: nothing before it is owed, and anything
        // committed after this read notifies (LISTEN is up), so no read of the log is due yet.
        logPending = false;
        cursor = (await guardRead(ctx, userId, readLatestEventId(ctx.db, userId))) ?? 0n;
        const event: CursorStreamEvent = { id: String(cursor), type: "cursor" };
        yield tracked(event.id, event);
      }

      while (!signal?.aborted) {
        if (hub.closed) throw new TRPCError({ code: "SERVICE_UNAVAILABLE", message: "Server is shutting down, reconnect" });
        if (!logPending && ephemeral.length === 0 && !authCheckDue) {
          await new Promise<void>((resolve) => (waiter = resolve));
          continue;
        }
        if (authCheckDue || logPending) {
          authCheckDue = false;
          await assertStillAuthorized(ctx);
        }
        for (let item = ephemeral.shift(); item; item = ephemeral.shift()) yield item;
        if (!logPending) continue;
        // Cleared before reading: a wake during the read triggers one more read.
        logPending = false;
        for (;;) {
          const afterId: bigint = cursor;
          const rows = await guardRead(ctx, userId, readEventsAfter(ctx.db, { userId, afterId, limit: EVENTS_BATCH }));
          const read: LogStreamEvent[] = [];
          for (const row of rows) {
            if (row.id <= cursor) continue; // never yield an id at or below the last one yielded
            cursor = row.id;
            const event: LogStreamEvent | null = toLogStreamEvent(row);
            if (event) read.push(event);
            else ctx.logger.warn({ userId, eventId: String(row.id), type: row.type }, "events.stream.unknown_type");
          }
          // The cursor passes the events left out too: a resume re-reads and leaves them out again.
          for (const event of await guardRead(ctx, userId, inScope(read))) yield tracked(event.id, event);
          if (rows.length < EVENTS_BATCH) break;
        }
      }
    } finally {
      clearInterval(authTimer);
      signal?.removeEventListener("abort", resume);
      unsubscribe();
    }
  }),
} satisfies TRPCRouterRecord;
