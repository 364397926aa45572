import { readFile } from "node:fs/promises";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

import { cancelSession } from "@spellcast/core";
import { QueueName, deadLetterJobId, generationJobId, publishCancel } from "@spellcast/queue";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

import { createGenerationHarness } from "../generation-test-harness";
import type { GenerationHarness } from "../generation-test-harness";
import { waitForJobState } from "../test-helpers";
import { sessionImageKey } from "./run-generation";

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const COST_512 = 2;

let h: GenerationHarness;

beforeAll(async () => {
  h = await createGenerationHarness("rungen");
  await h.startWorker({ PROVIDER_TIMEOUT_MS: "800" });
});

afterAll(async () => {
  await h?.close();
});

beforeEach(() => {
  h.sim.clearFaults();
});

describe("run-generation processor", () => {
  it("success: charges the cost once, stores a PNG, events queued → running → completed, one provider call", async () => {
    const userId = await h.userWith(20);
    const session = await h.submit(userId, "OK_SUCCESS a red fox");
    const done = await h.waitForStatus(userId, session.id, ["completed"]);

    expect(done.outputs).toMatchObject({ kind: "image", storageKey: sessionImageKey(session.id), contentType: "image/png" });
    const file = await readFile(path.join(h.storageDir, sessionImageKey(session.id)));
    expect(file.subarray(0, 8).equals(PNG_MAGIC)).toBe(true);
    expect(done.outputs?.kind === "image" && done.outputs.bytes).toBe(file.length);
    expect(await h.balance(userId)).toEqual({ balance: 20 - COST_512, held: 0 });
    expect(await h.eventTypes(session.id)).toEqual(["session_created", "session_running", "session_completed"]);
    expect(h.simCallsFor("OK_SUCCESS")).toHaveLength(1);
    const job = await waitForJobState(h.producers.queue(QueueName.generation), generationJobId(session.id), ["completed"]);
    expect(job.returnvalue).toEqual({ outcome: "completed" });
    expect(job.progress).toMatchObject({ sessionId: session.id, userId, percent: 100 });
  });

  it("fatal 400 with a 10 KB body: one call, dead-lettered, failed with every detail, refunded exactly", async () => {
    const userId = await h.userWith(20);
    h.sim.addFaults([{ match: { promptContains: "FATAL400" }, status: 400, bodySize: 10_240 }]);
    const session = await h.submit(userId, "FATAL400 forbidden words");
    expect(await h.balance(userId)).toEqual({ balance: 20, held: COST_512 });

    const failed = await h.waitForStatus(userId, session.id, ["failed"]);
    const calls = h.simCallsFor("FATAL400");
    expect(calls).toHaveLength(1);
    const details = failed.errorDetails;
    expect(details).toMatchObject({
      providerStatus: 400,
      reason: "provider_error",
      attempts: 1,
      maxAttempts: 3,
      fatal: true,
      reservationAmount: COST_512,
      refundedCredits: COST_512,
      refundError: null,
    });
    expect(details?.providerMessage).toEqual(expect.any(String));
    expect(details?.providerMessage.length).toBeGreaterThan(0);
    expect(details?.requestId).toMatch(/\S+/);
    expect(details?.providerMessage).toContain(details?.requestId ?? "<none>");
    expect(details?.providerBody?.length).toBeGreaterThan(100);
    expect(Buffer.byteLength(details?.providerBody ?? "", "utf8")).toBeLessThanOrEqual(2048);
    for (const field of ["firstFailedAt", "failedAt", "refundedAt"] as const) {
      expect(Number.isNaN(Date.parse(details?.[field] ?? ""))).toBe(false);
    }
    expect(await h.balance(userId)).toEqual({ balance: 20, held: 0 });
    const types = await h.eventTypes(session.id);
    expect(types.filter((t) => t === "session_completed")).toHaveLength(1);
    expect(types.at(-1)).toBe("session_completed");

    const job = await waitForJobState(h.producers.queue(QueueName.generation), generationJobId(session.id), ["failed"]);
    expect(job.attemptsMade).toBe(1);
    const dead = await waitForDeadLetter(session.id);
    expect(dead.data).toMatchObject({
      original: { sessionId: session.id, userId },
      sessionId: session.id,
      jobId: generationJobId(session.id),
      attemptsMade: 1,
      error: { providerStatus: 400, fatal: true, requestId: details?.requestId },
    });
    expect(Buffer.byteLength(dead.data.error.providerBody ?? "", "utf8")).toBeLessThanOrEqual(2048);
  });

  it("429 with Retry-After: 2, then success: the retry waits at least 2 s; charged once", async () => {
    const userId = await h.userWith(20);
    h.sim.addFaults([{ match: { promptContains: "RETRY429" }, retryAfter: 2, times: 1 }]);
    const session = await h.submit(userId, "RETRY429 busy provider");
    const done = await h.waitForStatus(userId, session.id, ["completed"], 20_000);

    const calls = h.simCallsFor("RETRY429");
    expect(calls.map((c) => c.status)).toEqual([429, 200]);
    const [first, second] = calls;
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(2_000);
    expect(done.attemptLog).toEqual([expect.objectContaining({ attempt: 1, providerStatus: 429, retryInMs: expect.any(Number) })]);
    expect(done.attemptLog[0]?.retryInMs).toBeGreaterThanOrEqual(2_000);
    expect(await h.balance(userId)).toEqual({ balance: 20 - COST_512, held: 0 });
  });

  it("503 every time: exactly maxAttempts calls, then failed with fatal false and refunded", async () => {
    const userId = await h.userWith(20);
    h.sim.addFaults([{ match: { promptContains: "ALWAYS503" }, status: 503 }]);
    const session = await h.submit(userId, "ALWAYS503 overloaded", 3);
    const failed = await h.waitForStatus(userId, session.id, ["failed"]);

    expect(h.simCallsFor("ALWAYS503").map((c) => c.status)).toEqual([503, 503, 503]);
    expect(failed.errorDetails).toMatchObject({ providerStatus: 503, fatal: false, attempts: 3, maxAttempts: 3, refundedCredits: COST_512 });
    expect(failed.attemptLog.map((a) => a.attempt)).toEqual([1, 2, 3]);
    expect(failed.attemptLog.at(-1)?.retryInMs).toBeNull();
    expect(await h.balance(userId)).toEqual({ balance: 20, held: 0 });
    expect((await h.eventTypes(session.id)).filter((t) => t === "session_completed")).toHaveLength(1);
    await waitForDeadLetter(session.id);
  });

  it("a hanging call is aborted at the provider timeout and retried", async () => {
    const userId = await h.userWith(20);
    h.sim.addFaults([{ match: { promptContains: "HANG_ONCE" }, hang: true, times: 1 }]);
    const session = await h.submit(userId, "HANG_ONCE slow provider");
    const done = await h.waitForStatus(userId, session.id, ["completed"]);

    const calls = h.simCallsFor("HANG_ONCE");
    expect(calls).toHaveLength(2);
    const [first, second] = calls;
    // Timeout 800 ms, then a backoff of at most 200 ms (plus scheduling slack).
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(800);
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeLessThan(3_000);
    expect(done.attemptLog).toEqual([expect.objectContaining({ attempt: 1, providerStatus: null })]);
    expect(await h.balance(userId)).toEqual({ balance: 20 - COST_512, held: 0 });
  });

  it("cancel while running: the provider call is aborted at once, the session stays canceled, nothing captured", async () => {
    const userId = await h.userWith(20);
    h.sim.addFaults([{ match: { promptContains: "CANCEL_ME" }, hang: true }]);
    const session = await h.submit(userId, "CANCEL_ME long render");
    await h.waitForStatus(userId, session.id, ["running"]);
    // Wait until the call is really in flight at the sim.
    for (let i = 0; i < 100 && h.simCallsFor("CANCEL_ME").length === 0; i++) await sleep(10);

    // What the web does: settle in the database first, then tell the workers.
    await cancelSession(h.db, { userId, sessionId: session.id });
    const publishedAt = Date.now();
    await publishCancel(h.redis, h.prefix, session.id);

    const queue = h.producers.queue(QueueName.generation);
    const job = await waitForJobState(queue, generationJobId(session.id), ["completed", "failed"], 5_000);
    expect(Date.now() - publishedAt).toBeLessThan(700); // well before the 800 ms provider timeout
    expect(await job.getState()).toBe("completed");
    expect(job.returnvalue).toEqual({ outcome: "canceled" });
    expect(h.simCallsFor("CANCEL_ME")).toHaveLength(1);

    const after = await h.waitForStatus(userId, session.id, ["canceled"]);
    expect(after.errorDetails).toBeNull();
    expect(await h.balance(userId)).toEqual({ balance: 20, held: 0 });
    expect((await h.eventTypes(session.id)).filter((t) => t === "session_completed")).toHaveLength(1);
    expect(await h.producers.queue(QueueName.generationDlq).getJob(deadLetterJobId(session.id))).toBeUndefined();
  });
});

async function waitForDeadLetter(sessionId: string) {
  return waitForJobState(h.producers.queue(QueueName.generationDlq), deadLetterJobId(sessionId), ["waiting"]);
}
