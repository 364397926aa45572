import type { TRPCClient } from "@trpc/client";
import { createTRPCClient, httpBatchStreamLink, httpSubscriptionLink, splitLink } from "@trpc/client";
import { EventSource as NodeEventSource } from "eventsource";
import superjson from "superjson";

import type { CaptionRun, CaptionRunOptions } from "./caption-run.js";
import { startCaptionRun } from "./caption-run.js";
import type { CastSpellOptions } from "./cast-spell.js";
import { castSpell } from "./cast-spell.js";
import { randomClientKey } from "./client-key.js";
import { retryCreate } from "./retry-create.js";
import { readCursor } from "./follow-events.js";
import type { AppRouter, CaptionRunInput, Cast, CastSpellInput, GenerateInput, Session, TerminalCast, TerminalSession } from "./types.js";
import type { UploadFileInput, UploadImagesOptions, UploadImagesResult } from "./upload-images.js";
import { uploadImages } from "./upload-images.js";
import type { WaitForOptions } from "./wait-for.js";
import { waitForSession } from "./wait-for.js";

/** The `eventsource` package's constructor (the default), or any compatible one that takes `{ fetch }`. */
export type EventSourceConstructor = typeof NodeEventSource;

export interface SpellcastClientOptions {
  /** The Spellcast app's base URL, e.g. `https://spellcast.example.com` (tRPC lives at `/api/trpc`). */
  url: string;
  /** An API key (`sc_…`) from the API keys page; sent as `Authorization: Bearer`, never in a URL. */
  apiKey: string;
  /** Used for every request, including the event stream (default: the global `fetch`). */
  fetch?: typeof fetch;
  /** EventSource implementation for subscriptions (default: the `eventsource` package, Node 20+). */
  EventSource?: EventSourceConstructor;
}

export type SpellcastTRPCClient = TRPCClient<AppRouter>;

export interface SpellcastClient {
  /** The typed tRPC client: every procedure of the server's router (`trpc.credits.balance.query()`…). */
  trpc: SpellcastTRPCClient;
  /** Starts a generation; a `clientKey` is generated when absent (pass your own to retry safely). */
  generate(input: GenerateInput): Promise<Session>;
  /**
   * The id of your newest event right now. Take it before creating work and pass it to
   * `waitFor(id, { after })` to receive every event of that work, however fast it ends.
   */
  cursor(): Promise<string>;
  /** Resolves once, with the terminal snapshot (completed with outputs, failed with error details, or canceled). */
  waitFor(sessionId: string, options?: WaitForOptions): Promise<TerminalSession>;
  /** Uploads images into one of your datasets (multipart POST to `/api/datasets/<id>/images`). */
  uploadImages(datasetId: string, files: UploadFileInput[], options?: UploadImagesOptions): Promise<UploadImagesResult>;
  /**
   * Casts a spell on one text or one of your images and resolves once with the ended cast
   * (completed with `output`, or failed with `errorDetails` naming the `failedStep`). A `clientKey`
   * is generated when absent (pass your own to retry safely: the same key returns the same cast).
   */
  castSpell(input: CastSpellInput, options?: CastSpellOptions): Promise<TerminalCast>;
  /**
   * Cancels one of your casts: its open step's hold is released and the cast ends `canceled`.
   * Resolves with the cast; one that had already ended comes back unchanged. A caption run's
   * cast is refused (`BAD_REQUEST`): cancel the run instead.
   */
  cancelCast(castId: string): Promise<Cast>;
  /**
   * Starts captioning a dataset: `{ set, progress }`, where `for await (const p of progress)`
   * sees `{ done, failed, total, status, spent }` until the set completes, is canceled or pauses.
   */
  startCaptionRun(input: CaptionRunInput, options?: CaptionRunOptions): Promise<CaptionRun>;
}

export function createSpellcastClient(options: SpellcastClientOptions): SpellcastClient {
  const baseUrl = options.url.replace(/\/+$/, "");
  const trpcUrl = `${baseUrl}/api/trpc`;
  const fetchImpl: typeof fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const authorization = `Bearer ${options.apiKey}`;
  const EventSourceImpl = options.EventSource ?? NodeEventSource;

  const trpc = createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === "subscription",
        true: httpSubscriptionLink({
          url: trpcUrl,
          transformer: superjson,
          EventSource: EventSourceImpl,
          // `headers` in the init dict is ignored by eventsource: the header goes in through its
          // fetch. The other headers (Accept, Last-Event-ID on reconnect) are kept.
          eventSourceOptions: () => ({
            fetch: (url, init) => fetchImpl(url, { ...init, headers: { ...init.headers, authorization } }),
          }),
        }),
        false: httpBatchStreamLink({
          url: trpcUrl,
          transformer: superjson,
          fetch: fetchImpl,
          headers: () => ({ authorization }),
        }),
      }),
    ],
  });

  return {
    trpc,
    generate: (input) => {
      const request = { ...input, clientKey: input.clientKey ?? randomClientKey() };
      return retryCreate(() => trpc.generations.create.mutate(request));
    },
    cursor: () => readCursor(trpc),
    waitFor: (sessionId, waitOptions) => waitForSession(trpc, sessionId, waitOptions),
    uploadImages: (datasetId, files, uploadOptions) => uploadImages({ baseUrl, authorization, fetch: fetchImpl }, datasetId, files, uploadOptions),
    castSpell: (input, castOptions) => castSpell(trpc, input, castOptions),
    cancelCast: (castId) => trpc.casts.cancel.mutate({ id: castId }),
    startCaptionRun: (input, runOptions) => startCaptionRun(trpc, input, runOptions),
  };
}
