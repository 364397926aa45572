import type { ServerResponse } from "node:http";

import type { FileStore } from "../file-store";

export interface ProviderCallContext {
  json: unknown;
  requestId: string;
  res: ServerResponse;
  /** Scheme + host the client used to reach the sim, for URLs it hands back. */
  origin: string;
  files: FileStore;
}

/** One provider endpoint: how to summarise a call for faults and logs, and how to answer it. */
export interface ProviderRoute {
  path: string;
  describe(json: unknown): { model?: string; prompt: string };
  handle(ctx: ProviderCallContext): void;
}

export function looseModel(json: unknown): string | undefined {
  if (typeof json !== "object" || json === null || !("model" in json)) return undefined;
  return typeof json.model === "string" ? json.model : undefined;
}
