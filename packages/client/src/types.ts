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
