import { monitorEventLoopDelay } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";

import { sql } from "drizzle-orm";

import type { Database } from "@spellcast/db";

export interface LoadReport {
  /** Event-loop delay of this process (the worker runs in it). */
  loopDelayMs: { p50: number; p90: number };
  /** `select 1` from this process every 50 ms: what one round trip to Postgres costs under the load. */
  pgRoundTripMs: { p50: number; p90: number };
  /** CPU this process used (user + system) while the probe ran. */
  cpuMs: number;
}

const round = (n: number) => Math.round(n * 100) / 100;
const pct = (sorted: number[], p: number) => round(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0);

/** Measures where a bench's time goes while it runs: loop delay, Postgres round trips, CPU. */
export function startLoadProbe(db: Database): { stop: () => Promise<LoadReport> } {
  // 10 ms, the default: a 1 ms timer woke the process it measures a thousand times a second.
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const cpu0 = process.cpuUsage();
  const rts: number[] = [];
  let running = true;
  const probing = (async () => {
    while (running) {
      const t = performance.now();
      await db.execute(sql`select 1`);
      rts.push(performance.now() - t);
      await sleep(50);
    }
  })();
  return {
    async stop() {
      running = false;
      await probing;
      loop.disable();
      const cpu = process.cpuUsage(cpu0);
      rts.sort((a, b) => a - b);
      return {
        loopDelayMs: { p50: round(loop.percentile(50) / 1e6), p90: round(loop.percentile(90) / 1e6) },
        pgRoundTripMs: { p50: pct(rts, 0.5), p90: pct(rts, 0.9) },
        cpuMs: round((cpu.user + cpu.system) / 1000),
      };
    },
  };
}
