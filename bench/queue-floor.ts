import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";

import { Queue, Worker } from "bullmq";

import { createRedisConnection } from "@spellcast/queue";

/**
 * The floor this machine puts under a caption run: the same jobs through bare BullMQ — per image
 * two jobs of `latencyMs` each, the second enqueued when the first ends, `concurrency` at a time,
 * in this process — with no Postgres, provider HTTP, ledger or events. Spellcast cannot be faster
 * than this here; the gap between it and the ideal bound is the queue's and the machine's.
 */
export async function measureQueueFloor(params: { redisUrl: string; images: number; concurrency: number; latencyMs: number }): Promise<{ wallS: number; cpuMs: number }> {
  const prefix = `bench_floor_${randomBytes(4).toString("hex")}`;
  const name = "floor";
  const producer = createRedisConnection(params.redisUrl, "producer");
  const connection = createRedisConnection(params.redisUrl, "worker");
  const queue = new Queue(name, { connection: producer, prefix });
  let finished = 0;
  let resolveAll: () => void = () => undefined;
  const allDone = new Promise<void>((resolve) => (resolveAll = resolve));
  const worker = new Worker(
    name,
    async (job) => {
      await sleep(params.latencyMs);
      if (job.name === "step0") await queue.add("step1", {}, { removeOnComplete: true });
      else if (++finished === params.images) resolveAll();
    },
    { connection, prefix, concurrency: params.concurrency, autorun: false },
  );
  try {
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    void worker.run();
    await queue.addBulk(Array.from({ length: params.images }, () => ({ name: "step0", data: {}, opts: { removeOnComplete: true } })));
    await allDone;
    const cpu = process.cpuUsage(cpu0);
    return { wallS: (performance.now() - t0) / 1000, cpuMs: (cpu.user + cpu.system) / 1000 };
  } finally {
    await worker.close();
    await queue.obliterate({ force: true });
    await queue.close();
    producer.disconnect();
    connection.disconnect();
  }
}
