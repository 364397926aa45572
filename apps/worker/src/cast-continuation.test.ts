import { completeSessions, createSpell, markSessionsRunning } from "@spellcast/core";
import { casts, events, generationSessions } from "@spellcast/db";
import { QueueName, generationJobId } from "@spellcast/queue";
import { asc, eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { captionHarness } from "./caption-test-harness";
import type { CaptionHarness } from "./caption-test-harness";
import { createGenerationHarness } from "./generation-test-harness";
import type { GenerationHarness } from "./generation-test-harness";

// A cast's paid steps run back to back in the job of its first step: the completing transaction
// creates the next step running, owned by that job, and the job goes on with it.

let h: GenerationHarness;
let c: CaptionHarness;

beforeAll(async () => {
  h = await createGenerationHarness("castcont");
  c = captionHarness(h);
});
afterAll(async () => h.close());

async function threeCallSpell(userId: string, marker: string) {
  return createSpell(h.db, {
    userId,
    spell: {
      name: `Three calls ${marker}`,
      steps: [
        { tool: "joycaption", params: {} },
        { tool: "chatgpt", params: { prompt: `${marker}_TWO {{input}}` } },
        { tool: "chatgpt", params: { prompt: `${marker}_THREE {{input}}` } },
      ],
    },
  });
}

async function stepsOfSet(setId: string) {
  const [cast] = await h.db.select().from(casts).where(eq(casts.captionSetId, setId));
  if (!cast) throw new Error("no cast");
  const steps = await h.db.select().from(generationSessions).where(eq(generationSessions.castId, cast.id)).orderBy(asc(generationSessions.stepIndex));
  return { cast, steps };
}

const queue = () => h.producers.queue(QueueName.generation);
const callsWith = (text: string) => h.sim.calls().calls.filter((call) => call.prompt?.includes(text));

// First: it needs the queue with no worker on it yet.
describe("a job that died after creating the step it owes", () => {
  it("finds the step it owes when it is delivered again, and runs it once", async () => {
    const userId = await h.userWith(100);
    const spell = await threeCallSpell(userId, "CONT_C");
    const datasetId = await c.datasetWith(userId, 1);
    // No worker yet: the first step's job waits in the queue while we play the worker that died.
    const started = await c.start(userId, datasetId, spell.id);
    const { steps: before } = await stepsOfSet(started.id);
    const first = before[0];
    if (!first) throw new Error("no first step");
    const jobId = generationJobId(first.id);
    await markSessionsRunning(h.db, [{ sessionId: first.id, attempt: 1, deadlineMs: 60_000 }]);
    const [done] = await completeSessions(h.db, [
      { sessionId: first.id, outputs: { kind: "text", text: "a red bicycle leaning on a wall" }, continueAs: { jobId, deadlineMs: 60_000, takeNewCast: false } },
    ]);
    const owed = done?.chain.continued?.session;
    expect(owed?.status).toBe("running");
    // ...and it died here, before pointing its job at that step.
    expect((await queue().getJob(jobId))?.data).toMatchObject({ sessionId: first.id });

    const worker = await h.startWorker();
    const { set, captions } = await c.waitForSet(userId, started.id, ["completed", "completed_with_errors"]);
    expect(set.status).toBe("completed");
    const { steps } = await stepsOfSet(set.id);
    expect(steps.map((s) => [s.stepIndex, s.status])).toEqual([
      [0, "completed"],
      [1, "completed"],
      [2, "completed"],
    ]);
    expect(steps[1]?.id).toBe(owed?.id);
    expect(callsWith("CONT_C_TWO")).toHaveLength(1);
    expect(callsWith("CONT_C_THREE")).toHaveLength(1);
    expect(captions[0]?.creditsCharged).toBe(4);
    expect(await h.balance(userId)).toEqual({ balance: 96, held: 0 });
    await worker.stop();
  });

  it("finds the first step of the image cast in its place when it is delivered again, and runs it once", async () => {
    const userId = await h.userWith(100);
    const spell = await createSpell(h.db, { userId, spell: { name: "One call LANE_C", steps: [{ tool: "joycaption", params: {} }] } });
    const datasetId = await c.datasetWith(userId, 2);
    // No worker: the first image's job waits in the queue while we play the worker that died.
    const started = await c.start(userId, datasetId, spell.id, undefined, 1);
    const { steps: before } = await stepsOfSet(started.id);
    const first = before[0];
    if (!first) throw new Error("no first step");
    const jobId = generationJobId(first.id);
    await markSessionsRunning(h.db, [{ sessionId: first.id, attempt: 1, deadlineMs: 60_000 }]);
    const [done] = await completeSessions(h.db, [
      { sessionId: first.id, outputs: { kind: "text", text: "a red bicycle leaning on a wall" }, continueAs: { jobId, deadlineMs: 60_000, takeNewCast: true } },
    ]);
    const owed = done?.chain.continued;
    expect(done?.chain.castStatus).toBe("completed");
    expect(owed?.session).toMatchObject({ status: "running" });
    expect(owed?.job.cast.castId).not.toBe(first.castId);
    // ...and it died here, before pointing its job at that step.
    expect((await queue().getJob(jobId))?.data).toMatchObject({ sessionId: first.id });

    const worker = await h.startWorker();
    const { set, captions } = await c.waitForSet(userId, started.id, ["completed", "completed_with_errors"]);
    expect(set.status).toBe("completed");
    expect(captions.map((cap) => [cap.status, cap.creditsCharged])).toEqual([
      ["done", 2],
      ["done", 2],
    ]);
    const [second] = await h.db.select().from(generationSessions).where(eq(generationSessions.id, owed?.session.id ?? ""));
    expect(second).toMatchObject({ status: "completed", attempts: 1, jobId });
    expect(await h.balance(userId)).toEqual({ balance: 96, held: 0 });
    await worker.stop();
  });
});

describe("a cast's steps run back to back in one job", () => {
  beforeAll(async () => {
    await h.startWorker();
  });

  it("the first step's job runs the next paid steps itself: no job per step, one created event each, charged once", async () => {
    const userId = await h.userWith(100);
    const spell = await threeCallSpell(userId, "CONT_A");
    const datasetId = await c.datasetWith(userId, 1);
    const started = await c.start(userId, datasetId, spell.id);
    const { set, captions } = await c.waitForSet(userId, started.id, ["completed", "completed_with_errors"]);
    expect(set.status).toBe("completed");
    expect(captions[0]?.creditsCharged).toBe(4);
    const { steps } = await stepsOfSet(set.id);
    const firstJob = generationJobId(steps[0]?.id ?? "");
    expect(steps.map((s) => [s.stepIndex, s.status, s.attempts, s.jobId])).toEqual([
      [0, "completed", 1, firstJob],
      [1, "completed", 1, firstJob],
      [2, "completed", 1, firstJob],
    ]);
    // No queue hop: the later steps never had a job of their own, and the one job now names the last step.
    expect(await queue().getJob(generationJobId(steps[1]?.id ?? ""))).toBeUndefined();
    expect(await queue().getJob(generationJobId(steps[2]?.id ?? ""))).toBeUndefined();
    const job = await queue().getJob(firstJob);
    expect(job?.data).toMatchObject({ sessionId: steps[2]?.id, cast: { stepIndex: 2 } });
    const stepEvents = await h.db.select().from(events).where(inArray(events.subjectId, [steps[1]?.id ?? ""])).orderBy(asc(events.id));
    expect(stepEvents.map((e) => [e.type, (e.payload as { session: { status: string } }).session.status])).toEqual([
      ["session_created", "running"],
      ["session_completed", "completed"],
    ]);
    expect(callsWith("CONT_A_TWO")).toHaveLength(1);
    expect(callsWith("CONT_A_THREE")).toHaveLength(1);
    expect(await h.balance(userId)).toEqual({ balance: 96, held: 0 });
  });

  it("a retryable failure of a continued step retries that step, with its own attempts, in the same job", async () => {
    const userId = await h.userWith(100);
    const spell = await threeCallSpell(userId, "CONT_B");
    h.sim.addFaults([{ match: { promptContains: "CONT_B_TWO" }, status: 503, times: 1 }]);
    const datasetId = await c.datasetWith(userId, 1);
    const started = await c.start(userId, datasetId, spell.id);
    const { set } = await c.waitForSet(userId, started.id, ["completed", "completed_with_errors"]);
    expect(set.status).toBe("completed");
    const { cast, steps } = await stepsOfSet(set.id);
    expect(cast.status).toBe("completed");
    expect(steps.map((s) => [s.stepIndex, s.status, s.attempts])).toEqual([
      [0, "completed", 1],
      [1, "completed", 2],
      [2, "completed", 1],
    ]);
    expect(steps[1]?.attemptLog).toHaveLength(1);
    expect(callsWith("CONT_B_TWO").map((call) => call.status)).toEqual([503, 200]);
    // Once the job had failed an attempt, it hands its next step to the queue rather than lend it its attempts.
    expect(steps[2]?.jobId).toBe(generationJobId(steps[2]?.id ?? ""));
    expect(await h.balance(userId)).toEqual({ balance: 96, held: 0 });
  });

  it("with a window of one, a job goes on with the next image's cast once, then leaves the one after to the queue", async () => {
    const userId = await h.userWith(100);
    const spell = await threeCallSpell(userId, "LANE_A");
    const datasetId = await c.datasetWith(userId, 3);
    const started = await c.start(userId, datasetId, spell.id, undefined, 1);
    const { set, captions } = await c.waitForSet(userId, started.id, ["completed", "completed_with_errors"]);
    expect(set.status).toBe("completed");
    expect(captions.map((cap) => [cap.status, cap.creditsCharged])).toEqual([
      ["done", 4],
      ["done", 4],
      ["done", 4],
    ]);
    const castRows = await h.db.select().from(casts).where(eq(casts.captionSetId, set.id)).orderBy(asc(casts.imageIndex));
    const steps = await h.db.select().from(generationSessions).where(inArray(generationSessions.castId, castRows.map((row) => row.id)));
    const firstStepOf = (i: number) => steps.find((s) => s.castId === castRows[i]?.id && s.stepIndex === 0);
    const jobsOf = (i: number) => steps.filter((s) => s.castId === castRows[i]?.id).map((s) => [s.stepIndex, s.status, s.attempts, s.jobId]).sort();
    const lane = generationJobId(firstStepOf(0)?.id ?? "");
    const third = generationJobId(firstStepOf(2)?.id ?? "");
    // The first image's job ran the second image's steps too: its first step had no job and no "running" transition of its own.
    expect(jobsOf(0)).toEqual([0, 1, 2].map((i) => [i, "completed", 1, lane]));
    expect(jobsOf(1)).toEqual([0, 1, 2].map((i) => [i, "completed", 1, lane]));
    expect(await queue().getJob(generationJobId(firstStepOf(1)?.id ?? ""))).toBeUndefined();
    expect(await h.eventTypes(firstStepOf(1)?.id ?? "")).toEqual(["session_created", "session_completed"]);
    // After two casts the job ended and the third image went through the queue, so the queue keeps moving.
    expect(jobsOf(2)).toEqual([0, 1, 2].map((i) => [i, "completed", 1, third]));
    expect(await h.eventTypes(firstStepOf(2)?.id ?? "")).toEqual(["session_created", "session_running", "session_completed"]);
    expect(callsWith("LANE_A_TWO")).toHaveLength(3);
    expect(await h.balance(userId)).toEqual({ balance: 88, held: 0 });
  });
});
