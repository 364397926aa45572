import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";

import { QueueName } from "@spellcast/queue";
import type { CallEntry } from "@spellcast/sim";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createGenerationHarness } from "./generation-test-harness";
import type { GenerationHarness } from "./generation-test-harness";

let h: GenerationHarness;

beforeAll(async () => {
  h = await createGenerationHarness("slots");
});
afterAll(async () => {
  await h?.close();
});

/** Most calls the sim was serving at once (a call ending as another starts does not overlap it). */
function mostAtOnce(calls: CallEntry[]): number {
  const edges = calls.flatMap((c) => {
    const start = Date.parse(c.at);
    return [
      { t: start, d: 1 },
      { t: start + (c.durationMs ?? 0), d: -1 },
    ];
  });
  edges.sort((a, b) => a.t - b.t || a.d - b.d);
  let now = 0;
  let most = 0;
  for (const e of edges) most = Math.max(most, (now += e.d));
  return most;
}

describe("provider slots", () => {
  it("takes more jobs than WORKER_CONCURRENCY but never has more provider calls than that in flight", async () => {
    h.sim.setLatency(150);
    const worker = await h.startWorker({ WORKER_CONCURRENCY: "3", WORKER_JOBS_IN_FLIGHT: "9" });
    const userId = await h.userWith(100);
    const marker = `slots_${randomUUID()}`;
    const sessions = await Promise.all(Array.from({ length: 12 }, (_, i) => h.submit(userId, `${marker} ${i}`)));

    // The queue's view while the calls run: jobs beyond the three slots are taken too.
    const queue = h.producers.queue(QueueName.generation);
    let mostActive = 0;
    const watching = (async () => {
      while (h.sim.calls().calls.filter((c) => c.prompt?.includes(marker) && c.outcome !== "pending").length < 12) {
        mostActive = Math.max(mostActive, await queue.getActiveCount());
      }
    })();
    for (const s of sessions) await h.waitForStatus(userId, s.id, ["completed"]);
    await watching;

    const calls = h.sim.calls().calls.filter((c) => c.prompt?.includes(marker));
    expect(calls).toHaveLength(12);
    expect(calls.every((c) => c.status === 200)).toBe(true);
    expect(mostAtOnce(calls)).toBe(3);
    expect(mostActive).toBeGreaterThan(3);
    expect(await h.balance(userId)).toMatchObject({ held: 0 });
    await worker.stop("test done");
  });

  it("on shutdown, jobs still waiting for a slot go back to the queue unstarted; the running call finishes; another worker completes the rest", async () => {
    h.sim.setLatency(1_000);
    const first = await h.startWorker({ WORKER_CONCURRENCY: "1", WORKER_JOBS_IN_FLIGHT: "3", SHUTDOWN_TIMEOUT_MS: "5000" });
    const userId = await h.userWith(100);
    const marker = `shutdown_${randomUUID()}`;
    const sessions = await Promise.all(Array.from({ length: 3 }, (_, i) => h.submit(userId, `${marker} ${i}`)));
    const queue = h.producers.queue(QueueName.generation);
    const callsFor = () => h.sim.calls().calls.filter((c) => c.prompt?.includes(marker));
    await waitUntil(async () => callsFor().length === 1 && (await queue.getActiveCount()) === 3);

    const report = await first.stop("test");
    expect(report.handedBack).toHaveLength(2);
    // The one call in flight finished within the grace period; no call started after shutdown began.
    expect(callsFor()).toHaveLength(1);
    expect(callsFor()[0]?.status).toBe(200);
    const states = await Promise.all(report.handedBack.map(async (id) => (await queue.getJob(id))?.getState()));
    expect(states).toEqual(["waiting", "waiting"]);

    h.sim.setLatency(0);
    await h.startWorker({ WORKER_CONCURRENCY: "3" });
    for (const s of sessions) await h.waitForStatus(userId, s.id, ["completed"]);
    expect(callsFor()).toHaveLength(3);
    for (const id of report.handedBack) {
      const job = await queue.getJob(id);
      // Handing back costs no attempt and is not a failure.
      expect(job?.attemptsMade).toBe(1);
      expect(job?.failedReason).toBeFalsy();
    }
    expect(await h.balance(userId)).toMatchObject({ held: 0 });
  });
});

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await sleep(20);
  }
}
