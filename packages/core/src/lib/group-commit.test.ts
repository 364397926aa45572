import { setTimeout as sleep } from "node:timers/promises";

import { describe, expect, it } from "vitest";

import { createGroupCommit } from "./group-commit";

describe("group commit", () => {
  it("calls made while a batch commits go together in the next batch, each getting its own result", async () => {
    const batches: number[][] = [];
    const commit = createGroupCommit(async (items: number[]) => {
      batches.push(items);
      await sleep(20);
      return items.map((n) => n * 10);
    });
    const first = commit.submit(1);
    await sleep(5); // the first batch is now committing
    const rest = await Promise.all([2, 3, 4].map((n) => commit.submit(n)));
    expect(await first).toBe(10);
    expect(rest).toEqual([20, 30, 40]);
    expect(batches).toEqual([[1], [2, 3, 4]]);
  });

  it("a batch that fails as a whole is re-run item by item: only the bad item's caller fails", async () => {
    const commit = createGroupCommit(async (items: number[]) => {
      if (items.includes(13)) throw new Error("unlucky");
      return items;
    });
    const results = await Promise.allSettled([12, 13, 14].map((n) => commit.submit(n)));
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
  });

  it("one key is never in two batches at once; other keys go ahead", async () => {
    let running = 0;
    let maxSameKeyRunning = 0;
    const perKey = new Map<string, number>();
    const commit = createGroupCommit(
      async (items: string[]) => {
        running++;
        for (const k of new Set(items)) {
          perKey.set(k, (perKey.get(k) ?? 0) + 1);
          maxSameKeyRunning = Math.max(maxSameKeyRunning, perKey.get(k) ?? 0);
        }
        await sleep(10);
        for (const k of new Set(items)) perKey.set(k, (perKey.get(k) ?? 1) - 1);
        running--;
        return items;
      },
      { maxInFlight: 4, maxBatch: 1, keyOf: (k) => k },
    );
    await Promise.all(["a", "a", "a", "b", "c"].map((k) => commit.submit(k)));
    expect(maxSameKeyRunning).toBe(1);
    expect(running).toBe(0);
  });
});
