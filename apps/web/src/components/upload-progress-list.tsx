import { formatCount } from "./format-count";
import type { UploadItem } from "./use-image-uploads";

const LABEL: Record<UploadItem["status"], string> = {
  waiting: "Waiting",
  uploading: "Uploading",
  retrying: "Retrying",
  added: "Added",
  rejected: "Rejected",
  failed: "Failed",
};

function statusText(item: UploadItem): string {
  return item.status === "added" && item.storedAs && item.storedAs !== item.name ? `${LABEL.added} as ${item.storedAs}` : LABEL[item.status];
}

/** Above this many files, rows are shown only for those being sent: the summary counts the rest. */
const MAX_ROWS = 20;

/** The current uploads: how many landed and how many are left, then a row per file (or per file in flight). */
export function UploadProgressList({ items }: { items: readonly UploadItem[] }) {
  if (items.length === 0) return null;
  let added = 0;
  let notAdded = 0;
  let bytes = 0;
  let sent = 0;
  for (const item of items) {
    if (item.status === "added") added += 1;
    else if (item.status === "rejected" || item.status === "failed") notAdded += 1;
    bytes += item.size;
    sent += item.status === "waiting" || item.status === "retrying" ? 0 : item.status === "uploading" ? item.progress * item.size : item.size;
  }
  const left = items.length - added - notAdded;
  const rows = items.length <= MAX_ROWS ? items : items.filter((item) => item.status === "uploading" || item.status === "retrying");
  return (
    <div className="upload-progress">
      <p className="muted upload-progress__summary" data-testid="upload-summary" aria-live="polite">
        {formatCount(items.length, "file")}: {added.toLocaleString("en")} added
        {notAdded > 0 && `, ${notAdded.toLocaleString("en")} not added`}
        {left > 0 && `, ${left.toLocaleString("en")} to go`}
      </p>
      {items.length > MAX_ROWS && <progress className="upload-list__bar" max={Math.max(bytes, 1)} value={sent} aria-label="Upload progress" />}
      <ul className="upload-list" aria-label="Uploads" data-testid="upload-progress">
        {rows.map((item) => (
          <li key={item.id} className={`upload-list__item upload-list__item--${item.status}`} data-status={item.status}>
            <span className="upload-list__name" title={item.name}>
              {item.name}
            </span>
            <progress
              className="upload-list__bar"
              max={1}
              value={item.status === "waiting" || item.status === "retrying" ? 0 : item.progress}
              aria-label={`${item.name} upload progress`}
            />
            <span className="upload-list__status" title={item.status === "retrying" ? item.reason : statusText(item)}>
              {statusText(item)}
            </span>
          </li>
        ))}
      </ul>
    </div>
  );
}
