import { TRPCClientError } from "@trpc/client";

/** A create whose response never arrived (network drop, reset): the server may have committed it. */
function isLostResponse(err: unknown): boolean {
  // tRPC fills `data` from the server's error shape; without one nothing was answered.
  return err instanceof TRPCClientError && err.data == null;
}

/**
 * Runs a create carrying a clientKey again when its response was lost — the key makes the repeat
 * return what the first attempt made instead of making (and charging) it twice. Errors the server
 * answered are not retried.
 */
export async function retryLostResponse<T>(create: () => Promise<T>, attempts = 3, delayMs = 200): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await create();
    } catch (err) {
      if (attempt >= attempts || !isLostResponse(err)) throw err;
      await new Promise((resolve) => setTimeout(resolve, delayMs * attempt));
    }
  }
}
