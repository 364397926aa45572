const SUBJECT_LABELS: Record<string, string> = {
  signup: "Sign-up",
  admin_grant: "Admin grant",
  session: "Generation",
  cast: "Spell cast",
  seed: "Demo seed",
  adjustment: "Adjustment",
};

/** What credits moved for: the subject's kind and id (shortened; the full id on hover). */
export function CreditSubject({ type, id }: { type: string; id: string }) {
  const short = id.length > 14 ? `${id.slice(0, 12)}…` : id;
  return (
    <span className="credit-subject">
      {SUBJECT_LABELS[type] ?? type}{" "}
      <code className="key-prefix" title={id}>
        {short}
      </code>
    </span>
  );
}
