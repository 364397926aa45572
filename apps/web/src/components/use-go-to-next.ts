"use client";

import { useRouter } from "next/navigation";
import { useCallback, useEffect, useRef } from "react";

import { readNextPath } from "./safe-next-path";
import { useCurrentUser } from "./use-current-user";

/**
 * Sign-in and sign-up pages send a visitor with a session where they were going (`?next=`):
 * one who arrives signed in at once, one who signs in when the returned function is called.
 * Either way exactly one navigation: a second one (or a refresh) on top of it made Next abandon
 * the first one's server fetch and fall back to a full page load of the address without its
 * hash (`/api-keys?from=mail#key-name` ended on `/api-keys?from=mail`).
 */
export function useGoToNextWhenSignedIn(): () => void {
  const router = useRouter();
  const { user } = useCurrentUser();
  const signedIn = user !== null;
  const gone = useRef(false);
  const goToNext = useCallback(() => {
    if (gone.current) return;
    gone.current = true;
    router.replace(readNextPath());
  }, [router]);
  useEffect(() => {
    if (signedIn) goToNext();
  }, [signedIn, goToNext]);
  return goToNext;
}
