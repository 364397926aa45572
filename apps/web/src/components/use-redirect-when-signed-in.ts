"use client";

import { useRouter } from "next/navigation";
import { useEffect } from "react";

import { readNextPath } from "./safe-next-path";
import { useCurrentUser } from "./use-current-user";

/** Sign-in and sign-up pages send a visitor who already has a session where they were going. */
export function useRedirectWhenSignedIn() {
  const router = useRouter();
  const { user } = useCurrentUser();
  const signedIn = user !== null;
  useEffect(() => {
    if (signedIn) router.replace(readNextPath());
  }, [signedIn, router]);
}
