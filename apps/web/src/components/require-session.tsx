"use client";

import { usePathname, useRouter } from "next/navigation";
import type { ReactNode } from "react";
import { useEffect } from "react";

import { isSigningOut, sessionSeen } from "./signing-out";
import { useCurrentUser } from "./use-current-user";

function PageSkeleton({ label }: { label: string }) {
  return (
    <div aria-busy="true">
      <p className="visually-hidden" role="status">
        {label}
      </p>
      <div className="skeleton-line" style={{ width: "14rem", height: "2rem" }} />
      <div className="skeleton-line" style={{ width: "min(32rem, 100%)" }} />
      <div className="skeleton-line" style={{ width: "min(24rem, 80%)" }} />
    </div>
  );
}

/**
 * Renders its pages only for a signed-in visitor; anyone else goes to /sign-in and back after, to
 * the same address: a shared link's query (`?set=` of a caption run) and hash are part of it.
 */
export function RequireSession({ children }: { children: ReactNode }) {
  const router = useRouter();
  const pathname = usePathname();
  const { user, isPending } = useCurrentUser();
  const signedIn = user !== null;
  const signedOut = !isPending && !signedIn;

  useEffect(() => {
    if (signedIn) sessionSeen();
    // Signing out: the sign-out button takes the visitor home.
    if (!signedOut || isSigningOut()) return;
    const { search, hash } = window.location;
    router.replace(`/sign-in?${new URLSearchParams({ next: `${pathname}${search}${hash}` }).toString()}`);
  }, [signedIn, signedOut, pathname, router]);

  if (isPending) return <PageSkeleton label="Checking your session…" />;
  if (!user) return <PageSkeleton label="Redirecting to sign in…" />;
  return <>{children}</>;
}
