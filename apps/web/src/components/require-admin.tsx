"use client";

import type { ReactNode } from "react";

import { useCurrentUser } from "./use-current-user";

/** Admin pages: a signed-in non-admin sees why there is nothing here, not a blank page. */
export function RequireAdmin({ children }: { children: ReactNode }) {
  const { user } = useCurrentUser();
  if (user?.role !== "admin") {
    return (
      <div className="stack">
        <h1>Admins only</h1>
        <p className="muted">This area is for Spellcast operators. Ask an admin if you need access.</p>
      </div>
    );
  }
  return <>{children}</>;
}
