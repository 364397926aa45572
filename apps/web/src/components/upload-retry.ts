/**
 * Tries a request gets in all when the server cannot be reached or is briefly unavailable: each
 * request of files, and the reservation of their places before them (reserve-places.ts).
 */
export const UPLOAD_ATTEMPTS = 4;

/** Answers that say "not now" rather than "no": a restarting server, a proxy in front of it, a rate limit. */
const TRANSIENT_STATUSES = new Set([408, 429, 502, 503, 504]);

/** Whether a request that got `status` (0: no answer at all) is worth sending again. */
export function isTransientUploadStatus(status: number): boolean {
  return status === 0 || TRANSIENT_STATUSES.has(status);
}

/**
 * The wait before try `attempt + 1`: 1 s, 2 s, 4 s, each ±20 % so the three requests a page sends
 * at once do not come back together. Sending a request again is safe: the server reports the
 * files that already landed in their reserved places as added (add-images.ts).
 */
export function uploadRetryDelayMs(attempt: number, random: () => number = Math.random): number {
  const base = 1_000 * 2 ** Math.max(0, attempt - 1);
  return Math.round(base * (0.8 + 0.4 * random()));
}

/**
 * The wait before sending again a request whose `attempt`-th try got `status`, or null when it is
 * not sent again: a refusal, a server error, or the last try spent.
 */
export function retryDelayAfter(status: number, attempt: number, random: () => number = Math.random): number | null {
  if (!isTransientUploadStatus(status) || attempt >= UPLOAD_ATTEMPTS) return null;
  return uploadRetryDelayMs(attempt, random);
}
