import type { ReactNode } from "react";

interface SubmitButtonProps {
  pending: boolean;
  children: ReactNode;
  block?: boolean;
}

/**
 * A primary submit button, disabled with a spinner while its request runs. Its name stays the
 * same while pending, so tests and screen readers find the same button.
 */
export function SubmitButton({ pending, children, block }: SubmitButtonProps) {
  return (
    <button
      type="submit"
      className={`button button--primary${block ? " button--block" : ""}`}
      disabled={pending}
      aria-busy={pending || undefined}
    >
      {pending && <span className="spinner" aria-hidden="true" />}
      {children}
    </button>
  );
}
