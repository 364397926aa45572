import { AlertIcon } from "./icons";

/** An error from the server, announced as soon as it appears. */
export function FormAlert({ message }: { message: string | null | undefined }) {
  if (!message) return null;
  return (
    <div className="alert" role="alert" data-testid="form-error">
      <AlertIcon style={{ flexShrink: 0, marginTop: "0.1rem" }} />
      <p>{message}</p>
    </div>
  );
}
