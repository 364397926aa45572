import type { ApiDeps } from "../context";
import { createContext } from "../context";
import { appRouter } from "../root";
import type { eventsStreamInputSchema } from "../router/events";
import { createCallerFactory } from "../trpc";
import type { z } from "zod";

const createCaller = createCallerFactory(appRouter);

export async function waitFor(predicate: () => boolean, what: string, ms = 10_000) {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Drives events.stream through the real tRPC caller, collecting what it yields; the test aborts it with `stop`. */
export function openStream(deps: ApiDeps, cookie: string, input: z.input<typeof eventsStreamInputSchema> = {}) {
  const ac = new AbortController();
  const caller = createCaller(createContext(deps, new Headers({ cookie })), { signal: ac.signal });
  const items: Awaited<ReturnType<typeof caller.events.stream>> extends AsyncIterable<infer T> ? T[] : never = [];
  let failure: unknown = null;
  const done = (async () => {
    const iterable = await caller.events.stream(input);
    for await (const item of iterable) items.push(item);
  })().catch((err: unknown) => {
    failure = err;
  });
  return {
    items,
    failure: () => failure,
    /** The tracked log events received so far (the cursor and untracked items left out). */
    logIds: () => items.flatMap((i) => (Array.isArray(i) && i[1].type !== "cursor" ? [i[0]] : [])),
    until: (predicate: () => boolean, what: string, ms = 10_000) => waitFor(predicate, what, ms),
    stop: async () => {
      ac.abort();
      await done;
    },
  };
}
