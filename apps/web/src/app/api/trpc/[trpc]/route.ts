import { fetchRequestHandler } from "@trpc/server/adapters/fetch";

import { appRouter, createContext } from "@spellcast/api";

import { services } from "~/server/services";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

function handler(req: Request) {
  const { apiDeps, logger } = services();
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
    createContext: () => createContext(apiDeps, req.headers),
    onError({ error, path }) {
      if (error.code === "INTERNAL_SERVER_ERROR") logger.error({ err: error, path }, "trpc.error");
    },
  });
}

export { handler as GET, handler as POST };
