import type { z } from "zod";

import { DomainError } from "./errors";

/** Parses outside input; a failure is INVALID_INPUT naming each bad field, never a 500. */
export function parseDomainInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    // A whole-value issue (a caption that is empty) reads as its message alone, as the user sees it.
    const fields = parsed.error.issues.map((i) => (i.path.length > 0 ? `${i.path.join(".")}: ${i.message}` : i.message));
    throw new DomainError("INVALID_INPUT", fields.join("; "), { issues: parsed.error.issues });
  }
  return parsed.data;
}
