import type { IncomingHttpHeaders } from "node:http";

import type { z } from "zod";

import { providerErrorBodySchema } from "./error-wire";
import { ProviderError, parseRetryAfter } from "./errors";
import { exchange, isOkStatus } from "./exchange";
import type { ExchangeResponse } from "./exchange";
import { linkedSignal } from "./linked-signal";

const REQUEST_ID_HEADERS = ["x-request-id", "request-id", "x-client-request-id"] as const;
/** Error bodies are only kept to 2 KB; reading a multi-megabyte HTML page whole would be waste. */
const MAX_ERROR_READ_BYTES = 64 * 1024;

export interface ProviderRequestOptions {
  provider: string;
  url: string;
  headers?: Record<string, string>;
  /** Covers the whole exchange, body download included. */
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface PostJsonOptions<T> extends ProviderRequestOptions {
  body: unknown;
  schema: z.ZodType<T>;
}

export interface ProviderResponse<T> {
  data: T;
  status: number;
  requestId?: string;
}

export function joinUrl(baseUrl: string, path: string): string {
  return `${baseUrl.replace(/\/+$/, "")}${path}`;
}

export function bearer(apiKey: string | undefined): Record<string, string> {
  return apiKey ? { authorization: `Bearer ${apiKey}` } : {};
}

// undici's dispatcher rather than `fetch` (exchange.ts): the same keep-alive pool without WHATWG
// streams or Response objects around each call — `fetch` took 1.0–1.1 ms of CPU per exchange here.
export async function postJson<T>(opts: PostJsonOptions<T>): Promise<ProviderResponse<T>> {
  return withDeadline(opts, async (signal) => {
    const res = await exchange({
      url: opts.url,
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json", ...opts.headers },
      body: JSON.stringify(opts.body),
      signal,
      maxErrorBytes: MAX_ERROR_READ_BYTES,
    });
    const requestId = readRequestId(res.headers);
    if (!isOkStatus(res.statusCode)) throw toHttpError(opts.provider, res, requestId);
    return { data: parseJsonBody(opts, res.body.toString("utf8"), res.statusCode, requestId), status: res.statusCode, requestId };
  });
}

export async function getBytes(opts: ProviderRequestOptions): Promise<ProviderResponse<Uint8Array>> {
  return withDeadline(opts, async (signal) => {
    const res = await exchange({ url: opts.url, method: "GET", headers: opts.headers, signal, maxErrorBytes: MAX_ERROR_READ_BYTES });
    const requestId = readRequestId(res.headers);
    if (!isOkStatus(res.statusCode)) throw toHttpError(opts.provider, res, requestId);
    return { data: res.body, status: res.statusCode, requestId };
  });
}

/**
 * Runs one exchange under the caller's signal and our own deadline, and turns whatever the
 * client throws into a ProviderError. Which signal fired decides the kind; error text never does.
 */
async function withDeadline<R>(opts: ProviderRequestOptions, run: (signal: AbortSignal) => Promise<R>): Promise<R> {
  const caller = opts.signal;
  if (caller?.aborted) throw abortedError(opts.provider, caller.reason);
  const link = linkedSignal([caller], opts.timeoutMs);
  try {
    return await run(link.signal);
  } catch (err) {
    if (err instanceof ProviderError) throw err;
    if (caller?.aborted) throw abortedError(opts.provider, err);
    if (link.timedOut()) {
      throw new ProviderError({
        provider: opts.provider,
        kind: "timeout",
        message: `${opts.provider} did not answer within ${opts.timeoutMs} ms`,
        cause: err,
      });
    }
    throw new ProviderError({
      provider: opts.provider,
      kind: "network",
      message: `${opts.provider} request failed: ${describeNetworkError(err)}`,
      cause: err,
    });
  } finally {
    link.dispose();
  }
}

function abortedError(provider: string, cause: unknown): ProviderError {
  return new ProviderError({ provider, kind: "aborted", message: `${provider} request aborted by caller`, cause });
}

function describeNetworkError(err: unknown): string {
  // The socket error's code (ECONNREFUSED, UND_ERR_SOCKET) is the useful part; it is on the error
  // itself or, when wrapped, on its cause.
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
  if (cause instanceof Error) {
    const code = "code" in cause && typeof cause.code === "string" ? `${cause.code}: ` : "";
    return `${code}${cause.message}`;
  }
  return String(err);
}

function toHttpError(provider: string, res: ExchangeResponse, requestId: string | undefined): ProviderError {
  const body = res.body.toString("utf8");
  const envelope = parseErrorEnvelope(body);
  const code = envelope?.error.code;
  return new ProviderError({
    provider,
    kind: "http",
    status: res.statusCode,
    message: envelope?.error.message ?? `${provider} returned HTTP ${res.statusCode}`,
    body,
    requestId: requestId ?? requestIdFromMessage(envelope?.error.message),
    retryAfterMs: readRetryAfter(res.headers),
    code: code === null || code === undefined ? undefined : String(code),
  });
}

function parseJsonBody<T>(opts: PostJsonOptions<T>, text: string, status: number, requestId?: string): T {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw invalidResponse(opts.provider, "response is not JSON", text, status, requestId);
  }
  const parsed = opts.schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? `${issue.path.join(".") || "(root)"}: ${issue.message}` : "schema mismatch";
    throw invalidResponse(opts.provider, `unexpected response shape (${where})`, text, status, requestId);
  }
  return parsed.data;
}

export function invalidResponse(
  provider: string,
  reason: string,
  body: string,
  status: number,
  requestId?: string,
): ProviderError {
  return new ProviderError({
    provider,
    kind: "invalid_response",
    message: `${provider} sent an invalid response: ${reason}`,
    status,
    body,
    requestId,
  });
}

function parseErrorEnvelope(body: string) {
  try {
    const parsed = providerErrorBodySchema.safeParse(JSON.parse(body));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function readRequestId(headers: IncomingHttpHeaders): string | undefined {
  for (const name of REQUEST_ID_HEADERS) {
    const value = header(headers, name);
    if (value) return value;
  }
  return undefined;
}

/** Some OpenAI-compatible servers only put the id in the message ("... Request id: req_123"). */
function requestIdFromMessage(message: string | undefined): string | undefined {
  return message?.match(/Request id: (\S+?)\.?$/)?.[1];
}

function readRetryAfter(headers: IncomingHttpHeaders): number | undefined {
  // OpenAI also sends a millisecond variant; it is more precise when present.
  const ms = header(headers, "retry-after-ms");
  if (ms !== undefined && /^\d+(\.\d+)?$/.test(ms.trim())) return Math.round(Number(ms));
  return parseRetryAfter(header(headers, "retry-after"));
}

/** Per-call options every adapter method takes. */
export interface CallOptions {
  signal?: AbortSignal;
}
