"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";

import { useTRPC } from "~/trpc/react";

import { Breadcrumbs } from "./breadcrumbs";
import { isActiveCast } from "./cast-cache";
import { CastCancelButton } from "./cast-cancel-button";
import { CastRetryButton } from "./cast-retry-button";
import { CastFailure } from "./cast-failure";
import { CastInputSummary } from "./cast-input-summary";
import { CastOutput } from "./cast-output";
import { CastStatusBadge } from "./cast-status-badge";
import { CastStepList } from "./cast-step-list";
import { carriedCount, castPlanCost, retryPlan } from "./cast-steps";
import { DateTime } from "./date-time";
import { useFollowCastSteps } from "./event-stream-provider";
import { errorCode, toUserMessage } from "./error-message";
import { FormAlert } from "./form-alert";
import { formatCredits } from "./format-credits";
import { PageHeader } from "./page-header";
import { useCastImage } from "./use-cast-image";
import { useCastStepSessions } from "./use-cast-step-sessions";
import { useStreamFallbackInterval } from "./use-stream-fallback";

const back = <Breadcrumbs items={[{ href: "/casts", label: "Casts" }]} />;

/** One cast, live: status, input, each step as it runs, the final output or the failure, Cancel. */
export function CastView({ castId }: { castId: string }) {
  const trpc = useTRPC();
  const fallback = useStreamFallbackInterval();
  useFollowCastSteps(castId);
  // Without the stream an active cast is read again now and then; an ended one never changes.
  const query = useQuery({
    ...trpc.casts.get.queryOptions({ castId }),
    retry: false,
    refetchInterval: (q) => (q.state.data && isActiveCast(q.state.data.status) ? fallback : false),
  });
  const spells = useQuery(trpc.spells.list.queryOptions({ includeDeleted: true }));
  const cast = query.data;
  const steps = useCastStepSessions(cast?.stepGenerationIds ?? []);
  const imageNames = useCastImage(cast);

  if (!cast) {
    if (!query.isError) return <div className="skeleton-line" aria-busy="true" />;
    // Another user's cast answers NOT_FOUND like a missing one; a malformed id is no cast either.
    const missing = ["NOT_FOUND", "BAD_REQUEST"].includes(errorCode(query.error) ?? "");
    return (
      <>
        {back}
        <section className="card empty-state" data-testid={missing ? "cast-not-found" : "cast-error"}>
          <p className="empty-state__title">{missing ? "Cast not found" : "This cast could not be opened"}</p>
          <p>{missing ? "There is no cast of yours at this address." : toUserMessage(query.error)}</p>
          <Link href="/casts" className="button">
            Your casts
          </Link>
        </section>
      </>
    );
  }

  const spell = spells.data?.find((s) => s.id === cast.spellId);
  // Steps carried over from an earlier cast were charged to that cast.
  const charged = cast.stepGenerationIds.slice(carriedCount(cast)).reduce((sum, id) => {
    const session = steps.sessionOf(id);
    return session?.status === "completed" ? sum + session.cost : sum;
  }, 0);
  const failedStep = cast.errorDetails?.failedStep;
  const failedTool = failedStep === undefined ? null : (steps.sessionOf(cast.stepGenerationIds[failedStep] ?? "")?.tool ?? cast.steps[failedStep]?.tool ?? null);
  // A caption run's cast is one image of the run: it is canceled with the run, from the run's page.
  const runUrl = cast.captionSetId && cast.datasetId ? `/datasets/${cast.datasetId}/captions?set=${cast.captionSetId}` : null;
  return (
    <>
      {runUrl ? (
        <Breadcrumbs items={[{ href: runUrl, label: "Caption run" }]} />
      ) : (
        back
      )}
      <PageHeader title={spell ? `Cast of “${spell.name}”` : "Cast"} lead={<CastStatusBadge status={cast.status} testId="cast-status" />} />
      <div className="stack">
        <section className="card" aria-label="Summary" data-testid="cast-summary">
          <dl className="details-list">
            <dt>Input</dt>
            <dd>
              <CastInputSummary cast={cast} firstStep={steps.sessionOf(cast.stepGenerationIds[0] ?? "")} names={imageNames} />
            </dd>
            {runUrl && (
              <>
                <dt>Part of</dt>
                <dd>
                  <Link href={runUrl} data-testid="cast-caption-run">
                    {imageNames ? `The caption run of ${imageNames.datasetName}` : "A caption run"}
                  </Link>
                  {cast.imageIndex !== null && <span className="muted"> · image {cast.imageIndex + 1}</span>}
                </dd>
              </>
            )}
            {cast.carriedFrom && (
              <>
                <dt>Carried over</dt>
                <dd data-testid="cast-carried-from">
                  {cast.carriedFrom.steps === 1 ? "Step 1" : `Steps 1–${cast.carriedFrom.steps}`} from{" "}
                  <Link href={`/casts/${cast.carriedFrom.castId}`}>the cast that failed</Link>, charged there: this cast ran the rest.
                </dd>
              </>
            )}
            <dt>Started</dt>
            <dd>
              <DateTime value={new Date(cast.createdAt)} />
            </dd>
            {cast.completedAt && (
              <>
                <dt>Ended</dt>
                <dd>
                  <DateTime value={new Date(cast.completedAt)} />
                </dd>
              </>
            )}
            <dt>Charged</dt>
            <dd data-testid="cast-charged">
              {formatCredits(charged)}
              {isActiveCast(cast.status) && <span className="muted"> so far · {formatCredits(castPlanCost(cast))} once every step has run</span>}
            </dd>
          </dl>
          {cast.status === "completed" && (
            <>
              <h2 className="section-title">Output</h2>
              <CastOutput cast={cast} />
            </>
          )}
          {cast.status === "failed" && <CastFailure cast={cast} tool={failedTool} />}
          {cast.status === "failed" &&
            (runUrl ? (
              <p className="muted">
                This image is part of a caption run: <Link href={runUrl}>re-run its failed captions</Link> from there.
              </p>
            ) : (
              // Priced once its steps are read: which of them completed decides where it starts.
              cast.stepGenerationIds.every((id) => steps.sessionOf(id)) && <CastRetryButton cast={cast} plan={retryPlan(cast, steps.sessionOf)} />
            ))}
          {cast.status === "canceled" && <p className="muted" data-testid="cast-canceled">Canceled: the open step&apos;s credits were returned.</p>}
          {isActiveCast(cast.status) &&
            (runUrl ? (
              <p className="muted">
                This image is part of a caption run: <Link href={runUrl}>cancel the run</Link> to stop it.
              </p>
            ) : (
              <CastCancelButton castId={cast.id} />
            ))}
        </section>
        {steps.error !== null && <FormAlert message={`Could not read a step: ${toUserMessage(steps.error)}`} />}
        <CastStepList cast={cast} steps={steps} />
        {spell?.deletedAt ? (
          <p className="muted" data-testid="cast-spell-deleted">
            Its spell was deleted: this cast keeps its steps, but the spell cannot be cast again.
          </p>
        ) : (
          <p>
            <Link href={`/spells/${cast.spellId}/cast`}>Cast this spell again</Link>
          </p>
        )}
      </div>
    </>
  );
}
