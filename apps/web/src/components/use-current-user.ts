"use client";

import { authClient } from "@spellcast/auth/client";

export type Role = "user" | "admin";

export interface CurrentUser {
  id: string;
  name: string;
  email: string;
  role: Role;
}

export interface CurrentUserState {
  user: CurrentUser | null;
  /** True until the first session check answers; render a placeholder, not "signed out". */
  isPending: boolean;
}

/** better-auth's admin plugin stores roles as a comma-separated list. */
function toRole(role: unknown): Role {
  if (typeof role !== "string") return "user";
  return role.split(",").some((r) => r.trim() === "admin") ? "admin" : "user";
}

/** The signed-in user from the session cookie (better-auth), or null. */
export function useCurrentUser(): CurrentUserState {
  const { data, isPending } = authClient.useSession();
  const user = data?.user;
  if (!user) return { user: null, isPending };
  return {
    isPending: false,
    user: { id: user.id, name: user.name, email: user.email, role: toRole(user.role) },
  };
}
