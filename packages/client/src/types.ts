import type { AppRouter as ServerRouter } from "@spellcast/api";
import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import type { BuiltRouter } from "@trpc/server/unstable-core-do-not-import";

type RootTypes = ServerRouter["_def"]["_config"]["$types"];

/**
 * The server's router as a client sees it: the same procedures, inputs, outputs and error shape,
 * without the server's context type (database, auth, logger), which a client never touches and
 * whose types live in server-only packages.
 */
export type AppRouter = BuiltRouter<
  { ctx: object; meta: RootTypes["meta"]; errorShape: RootTypes["errorShape"]; transformer: true },
  ServerRouter["_def"]["record"]
>;

export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;

/** A generation as every reader sees it (the output of `generations.get` and of session events). */
export type Session = RouterOutputs["generations"]["get"];
export type SessionStatus = Session["status"];
export type TerminalStatus = Extract<SessionStatus, "completed" | "failed" | "canceled">;
/** A session that has ended: `outputs` when completed, `errorDetails` (provider message, refund) when failed. */
export type TerminalSession = Session & { status: TerminalStatus };
export type ErrorDetails = NonNullable<Session["errorDetails"]>;

/** `generations.create` input; `clientKey` (the idempotency key) is generated when left out. */
export type GenerateInput = Omit<RouterInputs["generations"]["create"], "clientKey"> & { clientKey?: string };

export const terminalStatuses: readonly TerminalStatus[] = ["completed", "failed", "canceled"];
export const isTerminal = (session: Session): session is TerminalSession =>
  (terminalStatuses as readonly string[]).includes(session.status);

/** A cast as every reader sees it (the output of `casts.get` and the payload of `cast_updated` events). */
export type Cast = RouterOutputs["casts"]["get"];
export type CastStatus = Cast["status"];
export type TerminalCastStatus = Extract<CastStatus, "completed" | "failed" | "canceled">;
/** A cast that has ended: `output` when completed; `errorDetails` (with `failedStep`) when failed. */
export type TerminalCast = Cast & { status: TerminalCastStatus };
/**
 * `casts.create` input: a spell id, `{ kind: "text", text }` or `{ kind: "image", datasetId, imageId }`,
 * and an optional `clientKey` (the idempotency key; `castSpell` generates one when left out).
 */
export type CastSpellInput = RouterInputs["casts"]["create"];

export const terminalCastStatuses: readonly TerminalCastStatus[] = ["completed", "failed", "canceled"];
export const isTerminalCast = (cast: Cast): cast is TerminalCast => (terminalCastStatuses as readonly string[]).includes(cast.status);

/** A caption set (the output of `captions.start` and the payload of caption events). */
export type CaptionSet = RouterOutputs["captions"]["start"];
export type CaptionSetStatus = CaptionSet["status"];
/** `captions.start` input: `{ datasetId, spellId, budget? }`. */
export type CaptionRunInput = RouterInputs["captions"]["start"];
/** One progress snapshot of a caption run. */
export type CaptionProgress = Pick<CaptionSet, "done" | "failed" | "total" | "status" | "spent">;
/** Statuses after which a run makes no progress by itself (`paused` waits for a resume or more budget). */
export type FinalCaptionStatus = Extract<CaptionSetStatus, "completed" | "completed_with_errors" | "canceled" | "paused">;
export const finalCaptionStatuses: readonly FinalCaptionStatus[] = ["completed", "completed_with_errors", "canceled", "paused"];
export const isFinalCaptionStatus = (status: CaptionSetStatus): status is FinalCaptionStatus =>
  (finalCaptionStatuses as readonly string[]).includes(status);
