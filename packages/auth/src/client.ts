"use client";
import { adminClient } from "better-auth/client/plugins";
import { createAuthClient } from "better-auth/react";

/** The browser's auth client; same origin as the app, so no base URL is needed. */
export const authClient = createAuthClient({ plugins: [adminClient()] });
