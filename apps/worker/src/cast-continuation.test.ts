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
describe("a job that died after creating its next step", () => {
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
    await markSessionsRunning(h.db, [{ sessionId: first.id, attempt: 1, leaseMs: 60_000 }]);
    const [done] = await completeSessions(h.db, [
      { sessionId: first.id, outputs: { kind: "text", text: "a red bicycle leaning on a wall" }, continueAs: { jobId, leaseMs: 60_000 } },
    ]);
    const owed = done?.chain.continued?.session;
    expect(owed?.status).toBe("running");
    // ...and it died here, before pointing its job at that step.
    expect((await queue().getJob(jobId))?.data).toMatchObject({ sessionId: first.id });

    await h.startWorker();
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
});
