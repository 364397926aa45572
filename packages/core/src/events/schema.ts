import { z } from "zod";

/**
 * Event types written to the outbox. Payloads are the snapshot a reader needs, so no event ever
 * announces what a read cannot see (the row it describes commits in the same transaction).
 */
export const eventTypeSchema = z.enum([
  "session_created",
  "session_running",
  "session_completed",
  "credits_changed",
  "api_key_changed",
]);
export type EventType = z.infer<typeof eventTypeSchema>;

export const eventInputSchema = z.object({
  userId: z.string().min(1),
  type: eventTypeSchema,
  subjectId: z.string().min(1),
  payload: z.record(z.string(), z.unknown()),
});
export type EventInput = z.infer<typeof eventInputSchema>;
