import type { TRPCRouterRecord } from "@trpc/server";

import { healthReportSchema } from "../health/check-health";
import { publicProcedure } from "../trpc";

export const systemRouter = {
  health: publicProcedure.output(healthReportSchema).query(({ ctx }) => ctx.checkHealth()),
} satisfies TRPCRouterRecord;
