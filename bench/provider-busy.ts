import { createSimControl } from "@spellcast/sim";

export interface ProviderBusy {
  /** Calls in flight at the provider on average over the run ÷ the concurrency (1 = never idle). */
  busy: number;
  /** From the run's start to the first call reaching the provider. */
  firstCallMs: number;
  /** Median call as the provider timed it. */
  callP50Ms: number;
}

/**
 * How full the provider's slots were over a run, from the sim's own call log (its clock, its
 * timing of each call). Wall ÷ bound ≈ (1 ÷ busy) × (call time ÷ latency): this tells whether a
 * run lost its time to idle slots (jobs not ready to call) or to slow calls.
 */
export async function measureProviderBusy(simUrl: string, run: { startedAt: number; endedAt: number; concurrency: number }): Promise<ProviderBusy> {
  const snapshot = await createSimControl(simUrl).calls();
  const calls = snapshot.calls
    .map((c) => ({ start: Date.parse(c.at), ms: c.durationMs ?? 0 }))
    .filter((c) => c.start >= run.startedAt && c.start <= run.endedAt);
  const wallMs = run.endedAt - run.startedAt;
  const inCalls = calls.reduce((sum, c) => sum + Math.min(c.ms, run.endedAt - c.start), 0);
  const sorted = calls.map((c) => c.ms).sort((a, b) => a - b);
  return {
    busy: wallMs > 0 ? inCalls / wallMs / run.concurrency : 0,
    firstCallMs: calls.length > 0 ? Math.min(...calls.map((c) => c.start)) - run.startedAt : -1,
    callP50Ms: sorted[Math.floor(sorted.length / 2)] ?? 0,
  };
}
