import { setTimeout as sleep } from "node:timers/promises";

import { BUILT_IN_CAPTION_SPELL_ID, getCaptionSet } from "@spellcast/core";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { captionHarness } from "./caption-test-harness";
import type { CaptionHarness } from "./caption-test-harness";
import { createGenerationHarness } from "./generation-test-harness";
import type { GenerationHarness } from "./generation-test-harness";
import { sweepSessions } from "./sweeper";

// Postgres drops the worker's connections (a failover, a restart, a proxy between them) while a
// run goes on: what was in flight fails and is tried again; nothing is lost or charged twice.

let h: GenerationHarness;
let c: CaptionHarness;

beforeAll(async () => {
  h = await createGenerationHarness("dbloss");
  c = captionHarness(h);
});
afterAll(async () => {
  await h.close();
});


/** Ends every connection the worker holds (its pool and its commit connections), as a failover would. */
async function dropWorkerConnections(): Promise<number> {
  const rows = await h.db.execute<{ pid: number }>(
    sql`select pg_terminate_backend(pid) as pid from pg_stat_activity where datname = current_database() and application_name like 'spellcast-worker%'`,
  );
  return rows.length;
}

describe("Postgres drops the worker's connections mid-run", () => {
  it("twice during a caption run: it completes, every image captioned once, charged once", { timeout: 90_000 }, async () => {
    await h.startWorker({ WORKER_CONCURRENCY: "4" });
    const userId = await h.userWith(1000);
    const datasetId = await c.datasetWith(userId, 12);
    h.sim.setLatency(150);
    const started = await c.start(userId, datasetId, BUILT_IN_CAPTION_SPELL_ID, undefined, 4);
    for (const after of [2, 6]) {
      for (;;) {
        const { set } = await getCaptionSet(h.db, { userId, setId: started.id });
        if (set.done >= after) break;
        await sleep(20);
      }
      expect(await dropWorkerConnections()).toBeGreaterThan(0);
    }
    h.sim.setLatency(0);
    const deadline = Date.now() + 60_000;
    for (;;) {
      const { set } = await getCaptionSet(h.db, { userId, setId: started.id });
      if (set.status !== "in_progress" || Date.now() > deadline) break;
      await sleep(250);
    }
    const { set, captions } = await getCaptionSet(h.db, { userId, setId: started.id });
    expect(set).toMatchObject({ status: "completed", done: 12, failed: 0, spent: 36 });
    expect(captions.every((r) => r.status === "done" && r.creditsCharged === 3)).toBe(true);
    expect(await h.balance(userId)).toEqual({ balance: 1000 - 36, held: 0 });
    // Nothing left for the safety net either.
    const report = await sweepSessions(h.sweepDeps(), { queuedAfterMs: 0, userIds: [userId] });
    expect(report).toMatchObject({ stuck: [], requeued: [], settledFromFailedJobs: [], resumedSets: [] });
  });
});
