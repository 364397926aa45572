"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import type { AuthError } from "./auth-error-message";
import { authErrorMessage } from "./auth-error-message";
import { useGoToNextWhenSignedIn } from "./use-go-to-next";

/**
 * What sign-in and sign-up share: the pending flag, the server's message, and what happens on
 * success (a new user's caches start empty, then on to the `?next=` page).
 */
export function useAuthSubmit() {
  const goToNext = useGoToNextWhenSignedIn();
  const queryClient = useQueryClient();
  const [serverError, setServerError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function submit(call: () => Promise<{ error: AuthError | null }>) {
    setPending(true);
    const { error } = await call();
    if (error) {
      setServerError(authErrorMessage(error));
      setPending(false);
      return;
    }
    queryClient.clear();
    // No server component reads the session (pages check it in the browser): nothing to refresh.
    goToNext();
  }

  return { pending, serverError, clearServerError: () => setServerError(null), submit };
}
