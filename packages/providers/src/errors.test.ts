import { describe, expect, it } from "vitest";

import { MAX_ERROR_BODY_BYTES, ProviderError, classifyHttpStatus, parseRetryAfter, truncateUtf8 } from "./errors";

describe("classifyHttpStatus", () => {
  it.each([400, 401, 403, 404, 409, 413, 422])("%i is fatal", (status) => {
    expect(classifyHttpStatus(status)).toBe("fatal");
  });
  it.each([408, 429, 500, 502, 503, 504])("%i is retryable", (status) => {
    expect(classifyHttpStatus(status)).toBe("retryable");
  });
});

describe("ProviderError.retryable", () => {
  const make = (kind: ProviderError["kind"], status?: number) =>
    new ProviderError({ provider: "p", kind, status, message: "m" });

  it("follows the status for http errors", () => {
    expect(make("http", 400).retryable).toBe(false);
    expect(make("http", 429).retryable).toBe(true);
    expect(make("http", 503).retryable).toBe(true);
  });
  it("retries timeouts, network errors and unreadable 2xx, never caller aborts", () => {
    expect(make("timeout").retryable).toBe(true);
    expect(make("network").retryable).toBe(true);
    expect(make("invalid_response", 200).retryable).toBe(true);
    expect(make("aborted").retryable).toBe(false);
  });
  it("keeps the body to 2 KB", () => {
    const err = new ProviderError({ provider: "p", kind: "http", status: 400, message: "m", body: "é".repeat(5000) });
    expect(Buffer.byteLength(err.body)).toBeLessThanOrEqual(MAX_ERROR_BODY_BYTES);
    expect(err.body).toBe("é".repeat(MAX_ERROR_BODY_BYTES / 2));
  });
});

describe("parseRetryAfter", () => {
  it("reads delta-seconds", () => {
    expect(parseRetryAfter("2")).toBe(2000);
    expect(parseRetryAfter(" 0 ")).toBe(0);
    expect(parseRetryAfter("1.5")).toBe(1500);
  });
  it("reads an HTTP date relative to now, never negative", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(parseRetryAfter("Thu, 01 Jan 2026 00:00:30 GMT", now)).toBe(30_000);
    expect(parseRetryAfter("Wed, 31 Dec 2025 23:59:00 GMT", now)).toBe(0);
  });
  it("ignores missing or garbled values", () => {
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter("")).toBeUndefined();
    expect(parseRetryAfter("soon")).toBeUndefined();
    expect(parseRetryAfter("-3")).toBeUndefined();
  });
});

describe("truncateUtf8", () => {
  it("never splits a multi-byte character", () => {
    // "€" is 3 bytes: 4 bytes allow one whole character only.
    expect(truncateUtf8("€€", 4)).toBe("€");
    expect(truncateUtf8("😀x", 3)).toBe("");
    expect(truncateUtf8("abc", 10)).toBe("abc");
  });
});
