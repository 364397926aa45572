import { CallLog } from "./call-log";
import { FaultStore } from "./fault-store";
import { FileStore } from "./file-store";

/** Everything one sim instance remembers; each startSim gets its own, so tests never share. */
export class SimState {
  readonly faults = new FaultStore();
  readonly calls: CallLog;
  readonly files = new FileStore();
  latencyMs: number;

  constructor(
    readonly initialLatencyMs: number,
    callLogSize?: number,
  ) {
    this.latencyMs = initialLatencyMs;
    this.calls = new CallLog(callLogSize);
  }

  /** Back to how the sim started: no faults, no counters, startup latency. */
  reset(): void {
    this.faults.clear();
    this.calls.reset();
    this.files.clear();
    this.latencyMs = this.initialLatencyMs;
  }
}
