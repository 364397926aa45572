import type { ServerResponse } from "node:http";

import type { FileStore } from "../file-store";

export interface ProviderCallContext {
  requestId: string;
  res: ServerResponse;
  /** Scheme + host the client used to reach the sim, for URLs it hands back. */
  origin: string;
  files: FileStore;
}

/** One call as its route read it: what faults and logs see of it, and how to answer it. */
export interface ProviderCall {
  facts: { model?: string; prompt: string };
  answer(ctx: ProviderCallContext): void;
}

/** One provider endpoint. `read` parses the body once, for the facts and for the answer. */
export interface ProviderRoute {
  path: string;
  read(json: unknown): ProviderCall;
}

export function looseModel(json: unknown): string | undefined {
  if (typeof json !== "object" || json === null || !("model" in json)) return undefined;
  return typeof json.model === "string" ? json.model : undefined;
}
