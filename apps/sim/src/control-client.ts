import type { CallsSnapshot } from "./call-log";
import type { FaultRule } from "./fault-schema";

/**
 * For tests in other packages that reach the sim only over HTTP (the worker calls it, the test
 * cannot add headers to those calls): install faults, read counters, reset.
 */
export interface SimControl {
  addFaults(rules: FaultRule | FaultRule[]): Promise<string[]>;
  clearFaults(): Promise<void>;
  setLatency(latencyMs: number): Promise<void>;
  calls(limit?: number): Promise<CallsSnapshot>;
  reset(): Promise<void>;
}

export function createSimControl(baseUrl: string): SimControl {
  const root = baseUrl.replace(/\/+$/, "");
  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${root}/__sim/${path}`, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(5_000),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`sim control ${method} ${path} failed with ${res.status}: ${text}`);
    return JSON.parse(text) as T;
  }
  return {
    addFaults: async (rules) => (await call<{ ids: string[] }>("POST", "faults", Array.isArray(rules) ? rules : [rules])).ids,
    clearFaults: async () => void (await call("DELETE", "faults")),
    setLatency: async (latencyMs) => void (await call("POST", "config", { latencyMs })),
    calls: (limit) => call<CallsSnapshot>("GET", limit === undefined ? "calls" : `calls?limit=${limit}`),
    reset: async () => void (await call("POST", "reset")),
  };
}
