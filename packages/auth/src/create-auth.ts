import { betterAuth } from "better-auth";
import { drizzleAdapter } from "better-auth/adapters/drizzle";
import { admin } from "better-auth/plugins";

import type { Database } from "@spellcast/db";
import { authAccounts, authSessions, authVerifications, users } from "@spellcast/db";

export interface AuthOptions {
  db: Database;
  /** Public URL of the web app; also decides whether cookies are `Secure`. */
  baseURL: string;
  secret: string;
  /** Origins allowed to send cookie-carrying POSTs besides baseURL (e.g. localhost vs 127.0.0.1). */
  trustedOrigins?: string[];
  /** better-auth's IP limiter; off in tests, where every request shares one bucket. */
  rateLimit: boolean;
  /** Runs after a user row is committed: the starting credit grant hangs here. */
  onUserCreated?: (user: { id: string; email: string }) => Promise<void>;
}

export function createAuth(options: AuthOptions) {
  return betterAuth({
    baseURL: options.baseURL,
    secret: options.secret,
    trustedOrigins: options.trustedOrigins,
    telemetry: { enabled: false },
    database: drizzleAdapter(options.db, {
      provider: "pg",
      schema: {
        user: users,
        session: authSessions,
        account: authAccounts,
        verification: authVerifications,
      },
    }),
    emailAndPassword: { enabled: true, minPasswordLength: 8, maxPasswordLength: 128 },
    plugins: [admin({ defaultRole: "user", adminRoles: ["admin"] })],
    rateLimit: { enabled: options.rateLimit },
    databaseHooks: {
      user: {
        create: {
          after: async (user) => {
            await options.onUserCreated?.({ id: user.id, email: user.email });
          },
        },
      },
    },
  });
}

export type Auth = ReturnType<typeof createAuth>;
