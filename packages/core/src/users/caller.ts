import { z } from "zod";

export const roleSchema = z.enum(["user", "admin"]);
export type Role = z.infer<typeof roleSchema>;

/** Who is asking: resolved from a session cookie or an API key before any procedure runs. */
export interface Caller {
  id: string;
  name: string;
  email: string;
  role: Role;
  via: "session" | "api_key";
  apiKeyId?: string;
}
