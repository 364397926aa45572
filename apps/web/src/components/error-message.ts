import { TRPCClientError } from "@trpc/client";

const GENERIC = "Something went wrong. Please try again.";

interface ZodFlattened {
  formErrors?: unknown;
  fieldErrors?: unknown;
}

function firstString(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (Array.isArray(value)) return value.map(firstString).find((s) => s !== undefined);
  if (typeof value === "object" && value !== null) return Object.values(value).map(firstString).find(Boolean);
  return undefined;
}

/** A message fit for people: the server's own words, a validation message, never a stack. */
export function toUserMessage(error: unknown): string {
  if (error instanceof TRPCClientError) {
    const data: unknown = error.data;
    if (typeof data === "object" && data !== null && "zodError" in data && data.zodError) {
      const zod = data.zodError as ZodFlattened;
      const message = firstString(zod.formErrors) ?? firstString(zod.fieldErrors);
      if (message) return message;
    }
    if (error.message && !error.message.trim().startsWith("[")) return error.message;
    return GENERIC;
  }
  if (error instanceof Error && error.message) return error.message;
  return GENERIC;
}

/** The tRPC error code the server sent (`PAYMENT_REQUIRED`, `NOT_FOUND`…), if it is one. */
export function errorCode(error: unknown): string | undefined {
  if (!(error instanceof TRPCClientError)) return undefined;
  const data: unknown = error.data;
  return typeof data === "object" && data !== null && "code" in data && typeof data.code === "string" ? data.code : undefined;
}
