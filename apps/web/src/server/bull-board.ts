import "server-only";

import { createBullBoard } from "@bull-board/api";
import { BullMQAdapter } from "@bull-board/api/bullMQAdapter";
import { HonoAdapter } from "@bull-board/hono";
import { serveStatic } from "@hono/node-server/serve-static";
import { Hono } from "hono";
import { handle } from "hono/vercel";

import type { Producers } from "@spellcast/queue";
import { allQueueNames, createProducers, QueueName, QueueUnavailableError } from "@spellcast/queue";

import { services } from "./services";

/** Where the catch-all route `app/admin/queues/[[...path]]/route.ts` is mounted. */
export const BULL_BOARD_BASE_PATH = "/admin/queues";

const descriptions: Record<QueueName, string> = {
  generation: "Provider work: one job per generation session (gen_<sessionId>)",
  "generation-dlq": "Generation jobs that failed for good; search and replay them in /admin/dead-letters",
  maintenance: "Sweeper and other repeatable housekeeping",
  system: "Diagnostics (echo, heartbeat)",
};

export interface BullBoard {
  /** Serves the board's page, static assets and API for a request under BULL_BOARD_BASE_PATH. */
  fetch: (req: Request) => Promise<Response>;
  close: () => Promise<void>;
}

function buildBullBoard(): BullBoard {
  const { config, logger } = services();
  // Its own producer-role connection: commands fail fast while Redis is down instead of hanging
  // the page, and nothing connects before the first request (never at import or build time).
  const producers: Producers = createProducers(
    { redisUrl: config.REDIS_URL, prefix: config.REDIS_PREFIX },
    { onError: (err) => logger.debug({ err }, "bull_board.redis.error") },
  );
  const adapters = allQueueNames.map(
    (name) => new BullMQAdapter(producers.queue(name), { description: descriptions[name] }),
  );

  const serverAdapter = new HonoAdapter(serveStatic).setBasePath(BULL_BOARD_BASE_PATH);
  createBullBoard({
    // Operators retry and remove jobs in every queue, the dead-letter queue included. A retry of a
    // generation job whose session is already terminal is a no-op: the processor returns early.
    queues: adapters,
    serverAdapter,
    options: {
      uiConfig: {
        boardTitle: "Spellcast queues",
        miscLinks: [{ text: "Back to admin", url: "/admin" }],
      },
    },
  });
  const app = new Hono();
  app.route(BULL_BOARD_BASE_PATH, serverAdapter.registerPlugin());
  const serve = handle(app);

  return {
    async fetch(req) {
      // One shared connection: once the first queue is ready, all are. Bounded wait, so a Redis
      // outage answers 503 in ~2 s instead of a page that never loads.
      try {
        await producers.ready(producers.queue(QueueName.generation));
      } catch (err) {
        if (!(err instanceof QueueUnavailableError)) throw err;
        logger.warn({ err }, "bull_board.redis.unavailable");
        return Response.json({ error: "QUEUES_UNAVAILABLE", message: "Redis is not reachable; try again shortly" }, { status: 503 });
      }
      return serve(req);
    },
    close: () => producers.close(),
  };
}

const globalForBoard = globalThis as unknown as { spellcastBullBoard?: BullBoard };

/** Built on the first request under /admin/queues; one per process. */
export function bullBoard(): BullBoard {
  globalForBoard.spellcastBullBoard ??= buildBullBoard();
  return globalForBoard.spellcastBullBoard;
}
