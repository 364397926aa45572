import type { ApiKeyRowData } from "./api-key-row";
import { ApiKeyRow } from "./api-key-row";

export function ApiKeyTable({ keys }: { keys: readonly ApiKeyRowData[] }) {
  if (keys.length === 0) {
    return (
      <div className="empty-state">
        <p className="empty-state__title">No API keys yet</p>
        <p>Create one above to call Spellcast from another app.</p>
      </div>
    );
  }
  return (
    <div className="table-wrap">
      <table className="table">
        <caption className="visually-hidden">Your API keys</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Key</th>
            <th scope="col">Created</th>
            <th scope="col">Last used</th>
            <th scope="col">Status</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {keys.map((key) => (
            <ApiKeyRow key={key.id} apiKey={key} />
          ))}
        </tbody>
      </table>
    </div>
  );
}
