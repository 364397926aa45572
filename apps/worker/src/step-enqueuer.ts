import { createGroupCommit } from "@spellcast/core";
import type { EnqueueGenerationInput, Producers } from "@spellcast/queue";
import { enqueueGenerations } from "@spellcast/queue";

/** Adds the next step's job of a cast, with the other jobs' next steps of this process. */
export interface StepEnqueuer {
  enqueue(input: EnqueueGenerationInput): Promise<void>;
}

/**
 * One completion batch wakes its jobs together and each has its next step to enqueue; they go as
 * one `addBulk` (one round trip) instead of one add each. A failed bulk is retried one job at a
 * time, so each caller still learns whether its own job was added.
 */
export function createStepEnqueuer(producers: Producers): StepEnqueuer {
  const adds = createGroupCommit(
    async (inputs: EnqueueGenerationInput[]) => {
      await enqueueGenerations(producers, inputs);
      return inputs.map(() => undefined);
    },
    { maxInFlight: 2 },
  );
  return { enqueue: (input) => adds.submit(input) };
}
