/** The words a failure's `reason` code stands for; an unknown code reads as its words. */
const REASONS: Record<string, string> = {
  provider_error: "The provider refused or failed the request",
  timeout: "The provider did not answer in time",
  network: "The provider could not be reached",
  aborted: "The call was stopped",
  invalid_response: "The provider's answer could not be read",
  invalid_payload: "The request's parameters are not valid",
  insufficient_credits: "Not enough credits",
  internal: "An error on our side",
  unrecoverable: "An error that cannot be retried",
  stuck: "The worker stopped responding",
  canceled: "Canceled",
  expired: "The hold expired",
};

export function failureReasonLabel(reason: string): string {
  const known = REASONS[reason];
  if (known) return known;
  const words = reason.replace(/_/g, " ").trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** `message` and `more` as one sentence: no "overloaded., retrying" when the message ends in a stop. */
export function joinClause(message: string, more: string): string {
  return `${message.trim().replace(/[.;,]+$/, "")}${more}`;
}
