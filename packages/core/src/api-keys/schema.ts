import { z } from "zod";

export const apiKeyNameSchema = z.string().trim().min(1, "Name the key").max(64);

export const apiKeySummarySchema = z.object({
  id: z.string().uuid(),
  name: z.string(),
  prefix: z.string(),
  createdAt: z.date(),
  lastUsedAt: z.date().nullable(),
  revokedAt: z.date().nullable(),
});
export type ApiKeySummary = z.infer<typeof apiKeySummarySchema>;
