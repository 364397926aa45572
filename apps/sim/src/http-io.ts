import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";

import type { ProviderErrorBody } from "@spellcast/providers";

/** Base64 data URLs of large images must fit; anything bigger is a client bug worth a 413. */
export const MAX_REQUEST_BYTES = 25 * 1024 * 1024;

export class BodyTooLargeError extends Error {
  override readonly name = "BodyTooLargeError";
}

/** 32 hex digits. randomUUID draws from a cached entropy pool; randomBytes per call cost more than the rest of a call's bookkeeping. */
export function newRequestId(): string {
  return `req_${randomUUID().replaceAll("-", "")}`;
}

export async function readBody(req: IncomingMessage, limit = MAX_REQUEST_BYTES): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buf.length;
    if (size > limit) throw new BodyTooLargeError(`request body exceeds ${limit} bytes`);
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

export function sendRaw(
  res: ServerResponse,
  status: number,
  body: string | Buffer,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { "content-length": String(Buffer.byteLength(body)), ...headers });
  res.end(body);
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  sendRaw(res, status, JSON.stringify(body), { "content-type": "application/json", ...headers });
}

interface ErrorShape {
  code: string;
  type: string;
  message: string;
}

const STATUS_ERRORS: Record<number, ErrorShape> = {
  400: { code: "InvalidParameter", type: "invalid_request_error", message: "The request is invalid." },
  401: { code: "AuthenticationError", type: "authentication_error", message: "The API key is missing or invalid." },
  403: { code: "AccessDenied", type: "permission_error", message: "You do not have access to this resource." },
  404: { code: "NotFound", type: "invalid_request_error", message: "The requested resource was not found." },
  408: { code: "RequestTimeout", type: "timeout_error", message: "The request timed out." },
  413: { code: "RequestTooLarge", type: "invalid_request_error", message: "The request body is too large." },
  422: { code: "InputContentPolicyViolation", type: "invalid_request_error", message: "The input was rejected by the content policy." },
  429: { code: "RateLimitExceeded", type: "rate_limit_error", message: "Rate limit reached, please retry later." },
  500: { code: "InternalServiceError", type: "server_error", message: "The service encountered an internal error." },
  502: { code: "BadGateway", type: "server_error", message: "Bad gateway." },
  503: { code: "ServiceUnavailable", type: "server_error", message: "The service is temporarily overloaded." },
  504: { code: "GatewayTimeout", type: "server_error", message: "The upstream model did not answer in time." },
};

/** The envelope the real providers send, message ending with the request id as theirs do. */
export function errorBody(status: number, requestId: string, override: Partial<ErrorShape> = {}): ProviderErrorBody {
  const fallback = STATUS_ERRORS[status] ?? {
    code: status >= 500 ? "InternalServiceError" : "InvalidRequest",
    type: status >= 500 ? "server_error" : "invalid_request_error",
    message: `The request failed with status ${status}.`,
  };
  const message = override.message ?? fallback.message;
  return {
    error: {
      code: override.code ?? fallback.code,
      type: override.type ?? fallback.type,
      message: `${message} Request id: ${requestId}`,
    },
  };
}

export function sendError(
  res: ServerResponse,
  status: number,
  requestId: string,
  override: Partial<ErrorShape> = {},
  headers: Record<string, string> = {},
): void {
  sendJson(res, status, errorBody(status, requestId, override), headers);
}

/** Turns the first zod issue into the one-line message real APIs give for a bad parameter. */
export function describeIssue(issues: readonly { path: readonly PropertyKey[]; message: string }[]): string {
  const issue = issues[0];
  if (!issue) return "Invalid request body.";
  const where = issue.path.length > 0 ? issue.path.map(String).join(".") : "body";
  return `Invalid value for '${where}': ${issue.message}.`;
}
