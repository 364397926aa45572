import { setTimeout as sleep } from "node:timers/promises";

import { BUILT_IN_CAPTION_SPELL_ID } from "@spellcast/core";
import { enqueueGeneration } from "@spellcast/queue";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { startTcpGate } from "../../../tooling/test/tcp-gate";
import { captionHarness } from "./caption-test-harness";
import type { CaptionHarness } from "./caption-test-harness";
import { createGenerationHarness } from "./generation-test-harness";
import type { GenerationHarness } from "./generation-test-harness";

// The worker reaches Postgres through a gate the test shuts, as a restart or a failover would:
// jobs that start meanwhile wait it out, and a statement cut off in flight spends no attempt.

let h: GenerationHarness;
let c: CaptionHarness;
let gate: Awaited<ReturnType<typeof startTcpGate>>;

beforeAll(async () => {
  h = await createGenerationHarness("dboutage");
  c = captionHarness(h);
});
afterAll(async () => {
  await h.close();
  await gate?.close();
});

describe("Postgres out of reach for the worker", () => {
  beforeAll(async () => {
    const direct = new URL(h.env().DATABASE_URL);
    gate = await startTcpGate({ host: direct.hostname, port: Number(direct.port || 5432) });
    const gated = new URL(direct);
    gated.host = `127.0.0.1:${gate.port}`;
    await h.startWorker({ DATABASE_URL: gated.toString(), DATABASE_RETRY_MS: "200" });
  });

  it("for 3 s: a generation and a caption run submitted meanwhile complete after it, each charged once, no attempt spent", { timeout: 60_000 }, async () => {
    const userId = await h.userWith(100);
    const datasetId = await c.datasetWith(userId, 3);

    gate.shut();
    // Written by the web's own connection (not through the gate), as a request would be.
    const generation = await h.submit(userId, "submitted while the worker cannot reach Postgres");
    const run = await c.start(userId, datasetId, BUILT_IN_CAPTION_SPELL_ID);
    // Three attempts with this harness's backoff (50–200 ms) take well under this.
    await sleep(3_000);
    gate.open();

    const done = await h.waitForStatus(userId, generation.id, ["completed", "failed"], 30_000);
    expect(done).toMatchObject({ status: "completed", attempts: 1, attemptLog: [] });
    const { set } = await c.waitForSet(userId, run.id, ["completed", "completed_with_errors"], 30_000);
    expect(set).toMatchObject({ status: "completed", done: 3, failed: 0, spent: 9 });
    expect(h.simCallsFor("submitted while the worker cannot reach Postgres")).toHaveLength(1);
    expect(await h.balance(userId)).toEqual({ balance: 100 - 2 - 9, held: 0 });
  });

  it("a statement cut off in flight spends no attempt: a one-attempt generation whose mark-running is cut still completes, charged once", { timeout: 60_000 }, async () => {
    const userId = await h.userWith(10);
    const session = await h.createSession(userId, "cut off while marking running", 1);
    // Holds the session's row, so the worker's mark-running statement waits on it, in flight.
    await h.db.transaction(async (tx) => {
      await tx.execute(sql`select 1 from generation_sessions where id = ${session.id} for update`);
      await enqueueGeneration(h.producers, { sessionId: session.id, userId, maxAttempts: 1 });
      for (let waiting = 0; waiting === 0; await sleep(20)) {
        const rows = await h.db.execute(sql`select 1 from pg_stat_activity where application_name like 'spellcast-worker%' and wait_event_type = 'Lock'`);
        waiting = rows.length;
      }
      gate.shut();
      await sleep(300);
      gate.open();
    });
    const done = await h.waitForStatus(userId, session.id, ["completed", "failed"], 30_000);
    expect(done).toMatchObject({ status: "completed", attempts: 1, attemptLog: [] });
    expect(h.simCallsFor("cut off while marking running")).toHaveLength(1);
    expect(await h.balance(userId)).toEqual({ balance: 8, held: 0 });
  });
});
