import { TRPCClientError } from "@trpc/client";
import pRetry from "p-retry";

/**
 * Answers after which a create carrying a clientKey may be sent again: a timeout, a rate limit, a
 * server or gateway failure. The request may not have run; if it did, the key makes the repeat
 * return what it made. Anything else the server answered (bad input, no credits, not found) would
 * answer the same again.
 */
const TRANSIENT_STATUSES = new Set([408, 429, 500, 502, 503, 504]);

/** A create failed in a way that sending it again with the same clientKey may fix. */
export function isRetryableCreateError(err: unknown): boolean {
  if (!(err instanceof TRPCClientError)) return false;
  // tRPC fills `data` from the server's error shape; without one nothing was answered: the response was lost.
  const data: unknown = err.data;
  if (data == null) return true;
  const status = typeof data === "object" && "httpStatus" in data ? data.httpStatus : undefined;
  return typeof status === "number" && TRANSIENT_STATUSES.has(status);
}

/**
 * Runs a create carrying a clientKey, and again (up to `attempts` in all, exponential backoff with
 * jitter from 200 ms) when its response was lost or the answer was transient — the key makes a
 * repeat return what an earlier attempt made instead of making (and charging) it twice.
 */
export function retryCreate<T>(create: () => Promise<T>, attempts = 3): Promise<T> {
  return pRetry(create, {
    retries: attempts - 1,
    minTimeout: 200,
    factor: 2,
    randomize: true,
    shouldRetry: ({ error }) => isRetryableCreateError(error),
  });
}
