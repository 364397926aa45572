"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";

import { authClient } from "@spellcast/auth/client";

import { beginSignOut, sessionSeen } from "./signing-out";

export function SignOutButton() {
  const router = useRouter();
  const queryClient = useQueryClient();
  const [pending, setPending] = useState(false);
  const [failed, setFailed] = useState<string | null>(null);

  async function signOut() {
    setPending(true);
    setFailed(null);
    beginSignOut();
    const { error } = await authClient.signOut().catch((err: unknown) => ({ error: { message: err instanceof Error ? err.message : String(err) } }));
    if (error) {
      sessionSeen();
      setPending(false);
      setFailed(`Could not sign out: ${error.message ?? "the server did not answer"}. Please try again.`);
      return;
    }
    // Nothing cached for this user may leak to whoever signs in next in this tab.
    queryClient.clear();
    setPending(false);
    // One navigation: no server component reads the session, so there is nothing to refresh.
    router.push("/");
  }

  return (
    <>
      <button type="button" className="button button--small" onClick={signOut} disabled={pending}>
        {pending ? "Signing out…" : "Sign out"}
      </button>
      {failed && (
        <span className="user-menu__error" role="alert">
          {failed}
        </span>
      )}
    </>
  );
}
