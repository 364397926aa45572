import { TRPCClientError } from "@trpc/client";

import { toUserMessage } from "./error-message";
import { retryDelayAfter } from "./upload-retry";

/** The places reserved for a group of files, or why there are none (the server's words). */
export type Reservation = { ok: true; firstIndex: number } | { ok: false; reason: string };

/** What a failed call got back: the API's own error (its status and words), or no answer it wrote. */
type CallFailure = { status: number; message: string | null };

/**
 * The API answers every refusal in tRPC's shape, with its HTTP status and words. Any other failure
 * is an answer it did not write: the status when tRPC kept the response (a JSON body not in its
 * shape), otherwise 0, as for a failed connection or a body that is not JSON (a proxy's 503 page).
 * Null: not a failed call at all, but a fault in this page.
 */
export function callFailure(err: unknown): CallFailure | null {
  if (!(err instanceof TRPCClientError)) return null;
  const data: unknown = err.data;
  if (typeof data === "object" && data !== null && "httpStatus" in data && typeof data.httpStatus === "number") {
    return { status: data.httpStatus, message: toUserMessage(err) };
  }
  const meta: unknown = err.meta;
  const response = typeof meta === "object" && meta !== null && "response" in meta ? meta.response : undefined;
  return { status: response instanceof Response ? response.status : 0, message: null };
}

/** Why a reservation failed, as the files' rows say it: the server's words when it wrote some. */
function reasonOf(err: unknown, failure: CallFailure | null): string {
  let why = toUserMessage(err);
  if (failure) why = failure.message ?? (failure.status === 0 ? "no answer from the server" : `the server answered ${failure.status}`);
  return `Could not reserve the files' places in the dataset: ${why}`;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Reserves places with the uploads' own policy (upload-retry.ts): sent again after no answer or a
 * "not now" (408, 429, 502–504), up to the same number of tries and pauses; a refusal (a 4xx such as
 * a count over the limit, or a dataset that is gone) ends it at once with the server's message.
 * Sending a reservation again is safe: one whose answer was lost leaves its places empty, and
 * images simply skip those indexes.
 */
export async function reservePlaces(
  reserve: () => Promise<number>,
  hooks: { onRetry: (reason: string) => void; wait?: (ms: number) => Promise<void> },
): Promise<Reservation> {
  const wait = hooks.wait ?? sleep;
  for (let attempt = 1; ; attempt++) {
    try {
      return { ok: true, firstIndex: await reserve() };
    } catch (err) {
      const failure = callFailure(err);
      const waitMs = failure ? retryDelayAfter(failure.status, attempt) : null;
      if (waitMs === null) return { ok: false, reason: reasonOf(err, failure) };
      hooks.onRetry(`${reasonOf(err, failure)}; trying again`);
      await wait(waitMs);
    }
  }
}
