import { DateTime } from "./date-time";
import { RevokeApiKeyButton } from "./revoke-api-key-button";

export interface ApiKeyRowData {
  id: string;
  name: string;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export function ApiKeyRow({ apiKey }: { apiKey: ApiKeyRowData }) {
  const revoked = apiKey.revokedAt !== null;
  return (
    <tr data-testid="api-key-row" data-status={revoked ? "revoked" : "active"}>
      <th scope="row" className="table__name">
        {apiKey.name}
      </th>
      <td>
        <code className="key-prefix">{apiKey.prefix}…</code>
      </td>
      <td>
        <DateTime value={apiKey.createdAt} />
      </td>
      <td>{apiKey.lastUsedAt ? <DateTime value={apiKey.lastUsedAt} /> : <span className="muted">never</span>}</td>
      <td>
        {apiKey.revokedAt ? (
          <span className="badge badge--neutral" title={`Revoked ${apiKey.revokedAt.toLocaleString()}`}>
            Revoked
          </span>
        ) : (
          <span className="badge badge--success">Active</span>
        )}
      </td>
      <td>{revoked ? <span className="visually-hidden">No actions</span> : <RevokeApiKeyButton id={apiKey.id} name={apiKey.name} />}</td>
    </tr>
  );
}
