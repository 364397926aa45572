"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";

import { authClient } from "@spellcast/auth/client";

export function SignOutButton() {
  const router = useRouter();
  const queryClient = useQueryClient();
  const [pending, setPending] = useState(false);

  async function signOut() {
    setPending(true);
    try {
      await authClient.signOut();
    } finally {
      // Nothing cached for this user may leak to whoever signs in next in this tab.
      queryClient.clear();
      setPending(false);
      router.push("/");
      router.refresh();
    }
  }

  return (
    <button type="button" className="button button--small" onClick={signOut} disabled={pending}>
      {pending ? "Signing out…" : "Sign out"}
    </button>
  );
}
