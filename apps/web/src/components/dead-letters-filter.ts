import type { DeadLetterFilter } from "@spellcast/core/dead-letters/schema";
import { deadLetterFilterSchema } from "@spellcast/core/dead-letters/schema";

/** The search form as typed: every field a string ("" = not filtered). */
export const FILTER_FIELDS = ["email", "tool", "providerStatus", "text", "from", "to"] as const;
export type FilterFieldName = (typeof FILTER_FIELDS)[number];
export type FilterFields = Record<FilterFieldName, string>;
export type FilterErrors = Partial<Record<FilterFieldName, string>>;

export const EMPTY_FILTER_FIELDS: FilterFields = { email: "", tool: "", providerStatus: "", text: "", from: "", to: "" };

export const FILTER_LABELS: Record<FilterFieldName, string> = {
  email: "User email",
  tool: "Provider",
  providerStatus: "Provider status",
  text: "Message contains",
  from: "Failed after",
  to: "Failed before",
};

/** A datetime-local value ("2026-12-01T16:32", the admin's time zone) as an ISO instant; raw text if it isn't one. */
function toInstant(local: string): string {
  const date = new Date(local);
  return Number.isNaN(date.getTime()) ? local : date.toISOString();
}

/**
 * The typed form as a filter, or an error per bad field. Rules come from the server's own schema;
 * a malformed field is reported, never dropped (a dropped field would widen the search, and a
 * bulk replay of it would charge users nobody meant to).
 */
export function parseFilterFields(fields: FilterFields): { filter: DeadLetterFilter } | { errors: FilterErrors } {
  const candidate: Record<string, unknown> = {};
  for (const name of ["email", "tool", "text"] as const) {
    if (fields[name].trim()) candidate[name] = fields[name].trim();
  }
  const status = fields.providerStatus.trim();
  if (status.toLowerCase() === "none") candidate.providerStatus = null;
  // Anything but three digits goes through as text, so the schema refuses it in its own words.
  else if (status) candidate.providerStatus = /^\d{3}$/.test(status) ? Number(status) : status;
  if (fields.from) candidate.from = toInstant(fields.from);
  if (fields.to) candidate.to = toInstant(fields.to);

  const parsed = deadLetterFilterSchema.safeParse(candidate);
  if (parsed.success) return { filter: parsed.data };
  const errors: FilterErrors = {};
  for (const issue of parsed.error.issues) {
    const field = FILTER_FIELDS.find((name) => name === issue.path[0]) ?? "email";
    errors[field] ??= issue.message;
  }
  return { errors };
}
