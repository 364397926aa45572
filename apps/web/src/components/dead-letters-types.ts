import type { inferRouterOutputs } from "@trpc/server";

import type { AppRouter } from "@spellcast/api";

export type DeadLetterItem = inferRouterOutputs<AppRouter>["admin"]["deadLetters"]["list"]["items"][number];
