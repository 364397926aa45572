export type CallOutcome = "pending" | "ok" | "error" | "fault" | "dropped" | "hung" | "client_closed";

export interface CallEntry {
  seq: number;
  at: string;
  method: string;
  path: string;
  requestId: string;
  model?: string;
  /** First characters of the prompt, enough to tell calls apart in a test failure. */
  prompt?: string;
  status: number | null;
  outcome: CallOutcome;
  /** Which fault fired: "headers" or a rule id. */
  fault?: string;
  durationMs?: number;
}

export interface CallsSnapshot {
  total: number;
  counts: Record<string, number>;
  calls: CallEntry[];
}

const PROMPT_SUMMARY_CHARS = 120;

/** Counters per path plus a bounded log of recent calls, for tests to assert on. */
export class CallLog {
  private seq = 0;
  private counts = new Map<string, number>();
  private entries: CallEntry[] = [];

  constructor(private readonly capacity = 500) {}

  start(init: { method: string; path: string; requestId: string }): CallEntry {
    const entry: CallEntry = {
      seq: ++this.seq,
      at: new Date().toISOString(),
      ...init,
      status: null,
      outcome: "pending",
    };
    this.counts.set(init.path, (this.counts.get(init.path) ?? 0) + 1);
    this.entries.push(entry);
    if (this.entries.length > this.capacity) this.entries.shift();
    return entry;
  }

  describe(entry: CallEntry, facts: { model?: string; prompt?: string }): void {
    entry.model = facts.model;
    if (facts.prompt) entry.prompt = facts.prompt.slice(0, PROMPT_SUMMARY_CHARS);
  }

  snapshot(limit?: number): CallsSnapshot {
    const calls = limit === undefined ? this.entries : this.entries.slice(-limit);
    return { total: this.seq, counts: Object.fromEntries(this.counts), calls: calls.map((c) => ({ ...c })) };
  }

  reset(): void {
    this.seq = 0;
    this.counts.clear();
    this.entries = [];
  }
}
