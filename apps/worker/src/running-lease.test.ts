import { setTimeout as sleep } from "node:timers/promises";

import { getSession } from "@spellcast/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { deleteKeysWithPrefix } from "../../../tooling/test/redis-keys";
import { createGenerationHarness } from "./generation-test-harness";
import type { GenerationHarness } from "./generation-test-harness";
import { spawnedWorkers } from "./spawned-workers";
import type { SpawnedWorkers } from "./spawned-workers";
import { LOST_JOB_MESSAGE, sweepSessions } from "./sweeper";
import type { SweepReport } from "./sweeper";

// A running session is leased to the worker running it (RUNNING_LEASE_MS, renewed while the call
// goes on). The sweeper takes a running session back only past its lease and only when its job is
// gone: Redis here keeps nothing on disk, so a host restart loses the jobs and kills the worker.

let h: GenerationHarness;
let workers: SpawnedWorkers;

beforeAll(async () => {
  h = await createGenerationHarness("lease");
  workers = spawnedWorkers(h);
});
afterAll(async () => {
  workers.killAll();
  await h.close();
});

// Far longer than any wait below: before leases, a running session was taken back only after
// 2 × this + 30 s, whatever became of its worker.
const LONG_PROVIDER_TIMEOUT = { PROVIDER_TIMEOUT_MS: "600000", RUNNING_LEASE_MS: "1000" };
const sweep = (userId: string) => sweepSessions(h.sweepDeps(), { queuedAfterMs: 60_000, userIds: [userId] });
const forgetEveryJob = () => deleteKeysWithPrefix(h.env().REDIS_URL, h.prefix);

describe("a running session's lease", () => {
  it("a worker that lives keeps its call after Redis lost the job, for three times its lease: the sweeper leaves it, it completes once", { timeout: 60_000 }, async () => {
    const userId = await h.userWith(10);
    h.sim.setLatency(3_000);
    const worker = await workers.spawn(LONG_PROVIDER_TIMEOUT);
    try {
      const session = await h.submit(userId, "lease: a live worker's long call");
      await h.waitForStatus(userId, session.id, ["running"]);
      await forgetEveryJob();

      const reports: SweepReport[] = [];
      for (;;) {
        if ((await getSession(h.db, { userId, sessionId: session.id })).status !== "running") break;
        reports.push(await sweep(userId));
        await sleep(250);
      }
      expect(reports.length).toBeGreaterThan(8);
      expect(reports.flatMap((r) => [...r.requeued, ...r.stuck])).toEqual([]);
      const done = await h.waitForStatus(userId, session.id, ["completed"]);
      expect(done).toMatchObject({ status: "completed", attempts: 1, attemptLog: [] });
      expect(h.simCallsFor("lease: a live worker's long call")).toHaveLength(1);
      expect(await h.balance(userId)).toEqual({ balance: 8, held: 0 });
    } finally {
      await workers.kill(worker);
    }
  });

  it("a worker killed with its jobs lost (a host restart): its running session goes back one lease later, not after the provider timeout, and completes, charged once", { timeout: 60_000 }, async () => {
    const userId = await h.userWith(10);
    h.sim.setLatency(30_000);
    const doomed = await workers.spawn(LONG_PROVIDER_TIMEOUT);
    const session = await h.submit(userId, "lease: its worker dies");
    await h.waitForStatus(userId, session.id, ["running"]);
    // Killed once its call is at the provider: marked running is not yet sent.
    while (h.simCallsFor("lease: its worker dies").length === 0) await sleep(20);
    await forgetEveryJob();
    await workers.kill(doomed);

    const giveUpAt = Date.now() + 20_000;
    let requeued = false;
    while (!requeued && Date.now() < giveUpAt) {
      requeued = (await sweep(userId)).requeued.includes(session.id);
      if (!requeued) await sleep(250);
    }
    expect(requeued).toBe(true);
    const queued = await getSession(h.db, { userId, sessionId: session.id });
    expect(queued.status).toBe("queued");
    expect(queued.attemptLog).toEqual([expect.objectContaining({ attempt: 1, message: LOST_JOB_MESSAGE })]);

    h.sim.setLatency(0);
    await h.startWorker(LONG_PROVIDER_TIMEOUT);
    const done = await h.waitForStatus(userId, session.id, ["completed"]);
    expect(done).toMatchObject({ status: "completed", attempts: 2 });
    // The lost call (its connection closed by the kill) and the one that completed.
    expect(h.simCallsFor("lease: its worker dies").map((c) => c.outcome)).toEqual(["client_closed", "ok"]);
    expect(await h.balance(userId)).toEqual({ balance: 8, held: 0 });
  });
});
