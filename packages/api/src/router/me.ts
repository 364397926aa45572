import { z } from "zod";

import { roleSchema } from "@spellcast/core";

import { protectedProcedure } from "../trpc";

export const meOutputSchema = z.object({
  id: z.string(),
  name: z.string(),
  email: z.string(),
  role: roleSchema,
  via: z.enum(["session", "api_key"]),
});

export const meProcedure = protectedProcedure.output(meOutputSchema).query(({ ctx }) => {
  const { id, name, email, role, via } = ctx.caller;
  return { id, name, email, role, via };
});
