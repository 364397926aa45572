import type { SessionOutputs, SessionSnapshot } from "@spellcast/core";

import type { Logger } from "../logger";
import type { ProcessorDeps } from "../processors/types";

export interface ToolContext {
  deps: ProcessorDeps;
  session: SessionSnapshot;
  /** The owner (from the job data): every read is scoped by it. */
  userId: string;
  /** Aborted on cancel or when shutdown hands the job back. */
  signal: AbortSignal;
  log: Logger;
  /**
   * Runs the provider exchange once a provider slot is free. Only the exchange: reading inputs and
   * storing results happen outside, so they never keep a slot from another job's call.
   */
  inProviderSlot<T>(call: () => Promise<T>): Promise<T>;
}

export interface ToolResult {
  outputs: SessionOutputs;
  /** Undo side effects (a stored file) when the session ended elsewhere meanwhile. */
  discard?: () => Promise<void>;
}

/** One tool's work for one step session; throws ProviderError (classified by the processor) or FatalGenerationError. */
export type ToolHandler = (ctx: ToolContext) => Promise<ToolResult>;
