import { adminRouter } from "./router/admin";
import { captionsRouter } from "./router/captions";
import { castsRouter } from "./router/casts";
import { apiKeysRouter } from "./router/api-keys";
import { creditsRouter } from "./router/credits";
import { datasetsRouter } from "./router/datasets";
import { eventsRouter } from "./router/events";
import { generationsRouter } from "./router/generations";
import { meProcedure } from "./router/me";
import { spellsRouter } from "./router/spells";
import { systemRouter } from "./router/system";
import { createTRPCRouter } from "./trpc";

export const appRouter = createTRPCRouter({
  me: meProcedure,
  apiKeys: apiKeysRouter,
  system: systemRouter,
  events: eventsRouter,
  credits: creditsRouter,
  admin: adminRouter,
  datasets: datasetsRouter,
  generations: generationsRouter,
  spells: spellsRouter,
  captions: captionsRouter,
  casts: castsRouter,
});

export type AppRouter = typeof appRouter;
