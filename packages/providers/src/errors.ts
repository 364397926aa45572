export type ProviderErrorKind = "http" | "timeout" | "network" | "aborted" | "invalid_response";

/** Stored in error_details and shown to users: large gateway pages must not bloat rows or events. */
export const MAX_ERROR_BODY_BYTES = 2048;

export type HttpStatusClass = "retryable" | "fatal";

/**
 * The only place that decides whether an HTTP failure is worth retrying. 408 and 429 are the
 * provider asking us to come back later; 5xx is its own fault; any other non-2xx means this exact
 * request will keep failing (bad input, bad key, content policy), so retrying only burns attempts.
 */
export function classifyHttpStatus(status: number): HttpStatusClass {
  if (status === 408 || status === 429 || status >= 500) return "retryable";
  return "fatal";
}

export interface ProviderErrorInit {
  provider: string;
  kind: ProviderErrorKind;
  message: string;
  status?: number;
  body?: string;
  requestId?: string;
  retryAfterMs?: number;
  code?: string;
  cause?: unknown;
}

export class ProviderError extends Error {
  override readonly name = "ProviderError";
  readonly provider: string;
  readonly kind: ProviderErrorKind;
  /** Undefined when no HTTP response arrived (timeout, network, abort). */
  readonly status?: number;
  readonly body: string;
  readonly requestId?: string;
  readonly retryable: boolean;
  readonly retryAfterMs?: number;
  /** The provider's machine-readable code (`error.code`), when it sent one. */
  readonly code?: string;

  constructor(init: ProviderErrorInit) {
    super(truncateUtf8(init.message, MAX_ERROR_BODY_BYTES), { cause: init.cause });
    this.provider = init.provider;
    this.kind = init.kind;
    this.status = init.status;
    this.body = truncateUtf8(init.body ?? "", MAX_ERROR_BODY_BYTES);
    this.requestId = init.requestId;
    this.retryAfterMs = init.retryAfterMs;
    this.code = init.code;
    this.retryable = isRetryable(init.kind, init.status);
  }
}

function isRetryable(kind: ProviderErrorKind, status: number | undefined): boolean {
  switch (kind) {
    case "http":
      return status === undefined || classifyHttpStatus(status) === "retryable";
    case "timeout":
    case "network":
      return true;
    case "aborted":
      // The caller (a cancel, a shutting-down worker) chose to stop: retrying would undo that.
      return false;
    case "invalid_response":
      // A 2xx we cannot read is most often a truncated body or a misbehaving proxy, which a
      // second try fixes; maxAttempts bounds the cost if the provider really changed its format.
      return true;
  }
}

export function isProviderError(err: unknown): err is ProviderError {
  return err instanceof ProviderError;
}

/**
 * `Retry-After` is either delta-seconds or an HTTP date. Returns undefined for anything else, so
 * a garbled header falls back to the caller's own backoff instead of a bogus wait.
 */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  if (trimmed === "") return undefined;
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  // Date.parse accepts "-3" or "2026" as years; an HTTP date always names its month.
  if (!/[a-z]{3}/i.test(trimmed)) return undefined;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/** Cuts at a code point boundary so the stored body is always valid UTF-8. */
export function truncateUtf8(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text, "utf8");
  if (bytes.length <= maxBytes) return text;
  let end = maxBytes;
  // Continuation bytes are 10xxxxxx: back up to the start of the character we would split.
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString("utf8");
}
