import { BUILT_IN_CAPTION_SPELL_ID, createEventHub, startCaptionRun } from "@spellcast/core";
import { createDb } from "@spellcast/db";
import { createProducers, enqueueGenerations } from "@spellcast/queue";

import { waitForSetEnd } from "./set-end";
import type { WebSideReply, WebSideStart } from "./web-side";

/*
 * The web's part of a caption run, in a process of its own as in production: the start call
 * (set, captions, cast batches, their first steps enqueued) and a live reader that learns of the
 * flip. Started by web-side.ts with DATABASE_URL, REDIS_URL and REDIS_PREFIX set.
 */

const databaseUrl = process.env.DATABASE_URL ?? "";
const app = createDb(databaseUrl, { max: 10, appName: "bench-web" });
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };
const hub = createEventHub({ sql: app.sql, logger: silent });
const producers = createProducers({ redisUrl: process.env.REDIS_URL ?? "", prefix: process.env.REDIS_PREFIX ?? "" });

async function captionRun(msg: WebSideStart): Promise<WebSideReply> {
  const startedAt = Date.now();
  const t0 = performance.now();
  const set = await startCaptionRun(
    app.db,
    { userId: msg.userId, datasetId: msg.datasetId, spellId: BUILT_IN_CAPTION_SPELL_ID },
    { maxAttempts: 3, holdMs: 30 * 60_000, castWindow: msg.castWindow },
    async (jobs) => {
      await enqueueGenerations(producers, jobs);
    },
  );
  const startedS = (performance.now() - t0) / 1000;
  const status = await waitForSetEnd(hub, app.db, { userId: msg.userId, setId: set.id, timeoutMs: msg.timeoutMs - (performance.now() - t0) });
  const wallS = (performance.now() - t0) / 1000;
  return { kind: "ended", setId: set.id, status, startedS, wallS, startedAt, endedAt: Date.now() };
}

process.on("message", (msg: WebSideStart | { kind: "close" }) => {
  if (msg.kind === "close") {
    void Promise.all([hub.close(), producers.close(), app.close()]).finally(() => process.exit(0));
    return;
  }
  captionRun(msg).then(
    (reply) => process.send?.(reply),
    (err: unknown) => process.send?.({ kind: "failed", message: err instanceof Error ? (err.stack ?? err.message) : String(err) } satisfies WebSideReply),
  );
});
process.send?.({ kind: "ready" } satisfies WebSideReply);
