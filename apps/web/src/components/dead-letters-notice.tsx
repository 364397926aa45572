export interface Notice {
  text: string;
  /** The replay's job (queue and id, as the server names them), linked to its page in Bull Board. */
  job?: { queue: string; id: string };
}

/** Bull Board's page of one generation job; the board lives at /admin/queues (a route handler, so a plain link). */
export const replayJobHref = (job: { queue: string; id: string }) => `/admin/queues/queue/${encodeURIComponent(job.queue)}/${encodeURIComponent(job.id)}`;

/** What the last action did, with a link to the replay it made (its job: status, attempts, result). */
export function DeadLettersNotice({ notice }: { notice: Notice | null }) {
  if (!notice) return null;
  return (
    <p className="notice" role="status">
      {notice.text}
      {notice.job && (
        <>
          {" "}
          <a href={replayJobHref(notice.job)} data-testid="replay-link">
            Open the replay
          </a>
        </>
      )}
    </p>
  );
}
