import { TRPCError } from "@trpc/server";
import type { TRPC_ERROR_CODE_KEY } from "@trpc/server/rpc";
import { ZodError } from "zod";

import type { DomainErrorCode } from "@spellcast/core";
import { isDomainError } from "@spellcast/core";
import { isDatabaseUnavailable } from "@spellcast/db";

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
