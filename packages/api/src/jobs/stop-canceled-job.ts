import type { Logger } from "pino";

import type { SessionStatus } from "@spellcast/core";
import { generationJobId } from "@spellcast/queue";

import type { GenerationJobs } from "./generation-jobs";

/**
 * After core canceled a session (hold released, session terminal): removes its queued job, or tells
 * the workers to abort a running call. Best effort: a failure is logged, not thrown, since a job
 * that still runs finds its session terminal and charges nothing.
 */
export async function stopCanceledJob(
  deps: { generationJobs: GenerationJobs; logger: Logger },
  params: { userId: string; sessionId: string; previousStatus: SessionStatus; castId?: string; jobId?: string | null },
): Promise<void> {
  const { userId, sessionId, previousStatus, castId } = params;
  // A cast's continued step runs in the job of the step before it, not in gen_<its id>.
  const ids = { userId, sessionId, jobId: params.jobId ?? generationJobId(sessionId), previousStatus, ...(castId ? { castId } : {}) };
  try {
    const job =
      previousStatus === "queued"
        ? await deps.generationJobs.cancelQueued(sessionId)
        : (await deps.generationJobs.cancelRunning(sessionId), "signalled");
    deps.logger.info({ ...ids, job }, "session.canceled");
  } catch (err) {
    deps.logger.warn({ ...ids, err }, "session.cancel.signal.failed");
  }
}
