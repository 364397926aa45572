/** A table cell for an optional free text (a request's reason): clamped to a few lines, whole on hover; a dash when none. */
export function ReasonCell({ text }: { text: string | null }) {
  return (
    <td className="table__long">
      {text ? (
        <span className="table__clamp" title={text}>
          {text}
        </span>
      ) : (
        <span className="muted">—</span>
      )}
    </td>
  );
}
