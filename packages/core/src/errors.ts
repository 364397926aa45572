/** Expected conditions a caller can act on. packages/api maps each code to a tRPC code once. */
export const domainErrorCodes = [
  "NOT_FOUND",
  "FORBIDDEN",
  "UNAUTHORIZED",
  "INSUFFICIENT_CREDITS",
  "INVALID_STATE",
  "INVALID_INPUT",
  "CONFLICT",
] as const;
export type DomainErrorCode = (typeof domainErrorCodes)[number];

export class DomainError extends Error {
  override readonly name = "DomainError";
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export function isDomainError(err: unknown): err is DomainError {
  return err instanceof DomainError;
}
