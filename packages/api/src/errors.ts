import { TRPCError } from "@trpc/server";
import type { TRPC_ERROR_CODE_KEY } from "@trpc/server/rpc";
import { ZodError } from "zod";

import type { DomainErrorCode } from "@spellcast/core";
import { isDomainError } from "@spellcast/core";

/** Each domain code maps to one tRPC code, here and nowhere else. */
const codeMap: Record<DomainErrorCode, TRPC_ERROR_CODE_KEY> = {
  NOT_FOUND: "NOT_FOUND",
  FORBIDDEN: "FORBIDDEN",
  UNAUTHORIZED: "UNAUTHORIZED",
  INSUFFICIENT_CREDITS: "PAYMENT_REQUIRED",
  INVALID_STATE: "CONFLICT",
  INVALID_INPUT: "BAD_REQUEST",
  CONFLICT: "CONFLICT",
};

/**
 * The database could not be reached or ended the connection (a restart, a failover): postgres-js's
 * connection codes, socket errors, and Postgres's connection-exception (08…) and shutdown (57P0…)
 * SQLSTATEs. The statement did not commit, so the request changed nothing.
 */
const CONNECTION_CODES = new Set(["CONNECTION_CLOSED", "CONNECTION_DESTROYED", "CONNECTION_ENDED", "CONNECT_TIMEOUT", "ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT"]);
const isConnectionCode = (code: string) => CONNECTION_CODES.has(code) || code.startsWith("08") || /^57P0[1-3]$/.test(code);

/** Whether `err`, or an error it wraps (Drizzle wraps the driver's in `cause`), is a lost database connection. */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code: unknown = (e as { code?: unknown }).code;
    if (typeof code === "string" && isConnectionCode(code)) return true;
  }
  return false;
}

/** Turns an expected domain condition (or a zod failure inside core) into the right tRPC error. */
export function toTRPCError(err: unknown): TRPCError {
  if (err instanceof TRPCError) return err;
  if (isDomainError(err)) {
    return new TRPCError({ code: codeMap[err.code], message: err.message, cause: err });
  }
  if (err instanceof ZodError) {
    return new TRPCError({ code: "BAD_REQUEST", message: "Invalid input", cause: err });
  }
  if (isDatabaseUnavailable(err)) {
    return new TRPCError({ code: "SERVICE_UNAVAILABLE", message: "The database is out of reach for a moment: nothing was changed, please try again", cause: err });
  }
  return new TRPCError({ code: "INTERNAL_SERVER_ERROR", message: "Something went wrong on our side", cause: err });
}
