import type { UploadItem } from "./use-image-uploads";

const LABEL: Record<UploadItem["status"], string> = {
  waiting: "Waiting",
  uploading: "Uploading",
  added: "Added",
  rejected: "Rejected",
  failed: "Failed",
};

/** One row per file of the current uploads: its progress, then its result. */
export function UploadProgressList({ items }: { items: readonly UploadItem[] }) {
  if (items.length === 0) return null;
  return (
    <ul className="upload-list" aria-label="Uploads" data-testid="upload-progress">
      {items.map((item) => (
        <li key={item.id} className={`upload-list__item upload-list__item--${item.status}`} data-status={item.status}>
          <span className="upload-list__name" title={item.name}>
            {item.name}
          </span>
          <progress
            className="upload-list__bar"
            max={1}
            value={item.status === "waiting" ? 0 : item.progress}
            aria-label={`${item.name} upload progress`}
          />
          <span className="upload-list__status">
            {LABEL[item.status]}
            {item.status === "added" && item.storedAs && item.storedAs !== item.name ? ` as ${item.storedAs}` : ""}
          </span>
        </li>
      ))}
    </ul>
  );
}
