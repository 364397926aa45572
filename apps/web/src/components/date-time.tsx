const FORMAT = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

/** A machine-readable <time> shown in the reader's locale. Client-rendered data only. */
export function DateTime({ value }: { value: Date }) {
  return (
    <time dateTime={value.toISOString()} title={value.toString()}>
      {FORMAT.format(value)}
    </time>
  );
}
