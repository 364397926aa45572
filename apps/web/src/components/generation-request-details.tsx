import { formatBytes } from "@spellcast/core/datasets/schema";
import type { SessionSnapshot } from "@spellcast/core/sessions/schema";

import { imageSizeLabel } from "./image-size-label";
import type { GenerationSettings } from "./generation-settings";
import { toolLabel } from "./tool-label";

/**
 * Rows of a details list (<dt>/<dd>): what the generation was asked for (tool, size, seed) and,
 * once it has one, its image file and the provider's request id.
 */
export function GenerationRequestDetails({ session, settings }: { session: SessionSnapshot; settings: GenerationSettings }) {
  const image = session.outputs?.kind === "image" ? session.outputs : null;
  return (
    <>
      <dt>Tool</dt>
      <dd data-testid="detail-tool">{toolLabel(session.tool)}</dd>
      {settings.size && (
        <>
          <dt>Size</dt>
          <dd data-testid="detail-size">{imageSizeLabel(settings.size)}</dd>
        </>
      )}
      <dt>Seed</dt>
      <dd data-testid="detail-seed" className={settings.seed === null ? undefined : "mono"}>
        {/* Generations made before seeds were always recorded have none. */}
        {settings.seed ?? "Not recorded"}
      </dd>
      {image && (
        <>
          <dt>Image</dt>
          <dd data-testid="detail-file">PNG · {formatBytes(image.bytes)}</dd>
          {image.requestId && (
            <>
              <dt>Request id (for support)</dt>
              <dd className="mono">{image.requestId}</dd>
            </>
          )}
        </>
      )}
    </>
  );
}
