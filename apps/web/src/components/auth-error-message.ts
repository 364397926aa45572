export interface AuthError {
  message?: string | undefined;
  status?: number | undefined;
}

/** better-auth's error as one sentence; falls back on the status when it sends no message. */
export function authErrorMessage(error: AuthError): string {
  if (error.message) return error.message;
  if (error.status === 429) return "Too many attempts. Wait a few seconds and try again.";
  if (error.status === 401) return "Invalid email or password";
  return "Something went wrong. Please try again.";
}
