import { completeSessions, createGroupCommit, DomainError, markSessionsRunning } from "@spellcast/core";
import type { CompleteInput, CompleteResult, RunningInput, SessionSnapshot } from "@spellcast/core";
import type { Database } from "@spellcast/db";

/** The session transitions a job makes around its provider call, group-committed across jobs. */
export interface SessionTransitions {
  /** The running session; null when it is already terminal (the job must stop). */
  markRunning(input: RunningInput): Promise<SessionSnapshot | null>;
  complete(input: CompleteInput): Promise<CompleteResult>;
}

/** Connections the transitions need: one batch in flight per group commit. */
export const TRANSITION_CONNECTIONS = 2;

export function createSessionTransitions(db: Database): SessionTransitions {
  const running = createGroupCommit((items: RunningInput[]) => markSessionsRunning(db, items));
  const completing = createGroupCommit((items: CompleteInput[]) => completeSessions(db, items));
  const found = <T>(value: T | undefined): T => {
    if (value === undefined) throw new DomainError("NOT_FOUND", "Session not found");
    return value;
  };
  return {
    markRunning: async (input) => found(await running.submit(input)),
    complete: async (input) => found(await completing.submit(input)),
  };
}
