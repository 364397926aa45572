import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import type { Logger } from "pino";

import { isDatabaseUnavailable } from "@spellcast/db";

import { toTRPCError } from "../errors";

/** An HTTP-only refusal (wrong content type, body too large) with its status and message. */
export class HttpError extends Error {
  override readonly name = "HttpError";
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The JSON error answer of the plain HTTP routes, with the status tRPC would use for the same
 * domain error (NOT_FOUND → 404, INVALID_INPUT → 400…); unexpected errors are logged and stay generic.
 */
export function httpErrorResponse(err: unknown, logger: Logger, context: Record<string, unknown> = {}): Response {
  if (err instanceof HttpError) return Response.json({ error: err.message }, { status: err.status });
  const mapped = toTRPCError(err);
  if (mapped.code === "INTERNAL_SERVER_ERROR") logger.error({ err, ...context }, "http.route.failed");
  else if (isDatabaseUnavailable(err)) logger.warn({ err, ...context }, "http.route.database_unavailable");
  return Response.json({ error: mapped.message, code: mapped.code }, { status: getHTTPStatusCodeFromError(mapped) });
}
