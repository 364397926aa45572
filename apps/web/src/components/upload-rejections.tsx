import { AlertIcon } from "./icons";
import type { UploadItem } from "./use-image-uploads";

/** Files that were not added, each with the reason; announced as they appear. */
export function UploadRejections({ items, onClear }: { items: readonly UploadItem[]; onClear: () => void }) {
  const refused = items.filter((item) => item.status === "rejected" || item.status === "failed");
  return (
    <div aria-live="polite">
      {refused.length > 0 && (
        <section className="alert upload-rejections" data-testid="upload-rejections" aria-labelledby="rejections-title">
          <AlertIcon style={{ flexShrink: 0, marginTop: "0.1rem" }} />
          <div className="upload-rejections__body">
            <h3 id="rejections-title" className="upload-rejections__title">
              {refused.length === 1 ? "1 file was not added" : `${refused.length} files were not added`}
            </h3>
            <ul>
              {refused.map((item) => (
                <li key={item.id}>
                  <strong>{item.name}</strong>: {item.reason}
                </li>
              ))}
            </ul>
            <button type="button" className="button button--ghost button--small" onClick={onClear}>
              Clear finished uploads
            </button>
          </div>
        </section>
      )}
    </div>
  );
}
