import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { ZodError } from "zod";

import type { Context } from "./context";
import { isDatabaseUnavailable } from "@spellcast/db";

import { toTRPCError } from "./errors";

const t = initTRPC.context<Context>().create({
  transformer: superjson,
  errorFormatter({ shape, error }) {
    const zodError = error.cause instanceof ZodError ? error.cause.flatten() : null;
    return { ...shape, data: { ...shape.data, stack: undefined, zodError } };
  },
  sse: {
    // Pings keep proxies from closing quiet streams; the client's inactivity timeout is generous
    // so a busy server doesn't trigger a reconnect storm (STACK.md).
    ping: { enabled: true, intervalMs: 10_000 },
    client: { reconnectAfterInactivityMs: 30_000 },
    maxDurationMs: 60 * 60 * 1000,
  },
});

export const createTRPCRouter = t.router;
export const createCallerFactory = t.createCallerFactory;

/** Maps domain errors thrown by core into tRPC errors and logs what is not expected. */
const errorMapping = t.middleware(async ({ ctx, next, path, type }) => {
  const result = await next();
  if (!result.ok) {
    const cause = result.error.cause ?? result.error;
    const mapped = toTRPCError(cause);
    if (mapped.code === "INTERNAL_SERVER_ERROR") ctx.logger.error({ err: cause, path, type }, "procedure.failed");
    else if (isDatabaseUnavailable(cause)) ctx.logger.warn({ err: cause, path, type }, "procedure.database_unavailable");
    // Re-throw the mapped error so the client sees the domain code, not a generic 500.
    if (mapped !== result.error) throw mapped;
  }
  return result;
});

export const publicProcedure = t.procedure.use(errorMapping);

export const protectedProcedure = publicProcedure.use(async ({ ctx, next }) => {
  const caller = await ctx.getCaller().catch((err: unknown) => {
    throw toTRPCError(err);
  });
  if (!caller) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in or send an API key" });
  return next({ ctx: { caller } });
});

export const adminProcedure = protectedProcedure.use(({ ctx, next }) => {
  if (ctx.caller.role !== "admin") throw new TRPCError({ code: "FORBIDDEN", message: "Admins only" });
  return next();
});
