import { setTimeout as sleep } from "node:timers/promises";

import { createCast, getCast } from "@spellcast/core";
import type { CastRequest, CastSnapshot, CreateCastResult } from "@spellcast/core";
import { enqueueGeneration } from "@spellcast/queue";

import type { GenerationHarness } from "./generation-test-harness";

// Test-only helpers for single casts on top of the generation harness.

export const CAST_OPTIONS = { maxAttempts: 3, holdMs: 3_600_000 };

export interface CastRunner {
  /** Creates the cast as the router does (jobs enqueued after the commit), then waits for its end. */
  castAndWait(userId: string, request: CastRequest): Promise<CastSnapshot>;
  /** Enqueues a created cast's jobs as the router does, then waits for its end. */
  startAndWait(userId: string, result: CreateCastResult): Promise<CastSnapshot>;
  waitForCastEnd(userId: string, castId: string): Promise<CastSnapshot>;
}

export function castRunner(h: GenerationHarness): CastRunner {
  const waitForCastEnd = async (userId: string, castId: string) => {
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      const last = await getCast(h.db, { userId, castId });
      if (last.status !== "queued" && last.status !== "running") return last;
      await sleep(50);
    }
    throw new Error(`cast ${castId} did not end`);
  };
  const startAndWait = async (userId: string, { cast, jobs }: CreateCastResult) => {
    for (const job of jobs) await enqueueGeneration(h.producers, job);
    return waitForCastEnd(userId, cast.id);
  };
  return {
    waitForCastEnd,
    startAndWait,
    castAndWait: async (userId, request) => startAndWait(userId, await createCast(h.db, { userId, ...request }, CAST_OPTIONS)),
  };
}

/** Refuses, for good (a 400), the first provider call whose prompt holds `marker`: its step fails and its cast with it. */
export function refuseOnce(h: GenerationHarness, marker: string, message = "Refused by the content policy"): void {
  h.sim.addFaults([
    {
      match: { promptContains: marker },
      status: 400,
      times: 1,
      body: JSON.stringify({ error: { message, type: "invalid_request_error" } }),
    },
  ]);
}
