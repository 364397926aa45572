import { z } from "zod";

/**
 * Event types written to the outbox. Payloads are the snapshot a reader needs, so no event ever
 * announces what a read cannot see (the row it describes commits in the same transaction).
 */
export const eventTypeSchema = z.enum([
  "session_created",
  "session_running",
  "session_attempt_failed",
  "session_completed",
  "credits_changed",
  "api_key_changed",
  "cast_updated",
  "caption_updated",
  "caption_set_updated",
  "credit_request_updated",
]);
export type EventType = z.infer<typeof eventTypeSchema>;

export const eventInputSchema = z.object({
  userId: z.string().min(1),
  type: eventTypeSchema,
  subjectId: z.string().min(1),
  payload: z.record(z.string(), z.unknown()),
});
export type EventInput = z.infer<typeof eventInputSchema>;

// What `events.stream` yields (a discriminated union on `type`; web, worker and client share it).
const eventIdSchema = z.string().regex(/^\d+$/);

/** One event-log row, yielded as `tracked(id, event)` so a reconnecting client resumes after it. */
export const logStreamEventSchema = z.object({
  id: eventIdSchema,
  type: eventTypeSchema,
  subjectId: z.string(),
  payload: z.record(z.string(), z.unknown()),
  createdAt: z.iso.datetime({ offset: true }),
});
export type LogStreamEvent = z.infer<typeof logStreamEventSchema>;

/**
 * First item of a stream opened without `lastEventId`, also tracked: the user's newest event id
 * ("0" when none), so a reconnect before the first real event resumes from here, losing nothing.
 */
export const cursorStreamEventSchema = z.object({ id: eventIdSchema, type: z.literal("cursor") });
export type CursorStreamEvent = z.infer<typeof cursorStreamEventSchema>;

/**
 * Ephemeral (never stored, never replayed, yielded without a tracked id): live progress of a
 * running job, pushed into the hub by whoever watches BullMQ `QueueEvents` in this process.
 */
export const progressStreamEventSchema = z.object({
  type: z.literal("progress"),
  subjectId: z.string(),
  progress: z.union([z.number(), z.record(z.string(), z.unknown())]),
});
export type ProgressStreamEvent = z.infer<typeof progressStreamEventSchema>;
/** Everything the hub delivers without the table; extend this union for new live-only kinds. */
export type EphemeralStreamEvent = ProgressStreamEvent;

export const streamEventSchema = z.discriminatedUnion("type", [
  logStreamEventSchema,
  cursorStreamEventSchema,
  progressStreamEventSchema,
]);
export type StreamEvent = z.infer<typeof streamEventSchema>;
