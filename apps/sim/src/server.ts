import { hash } from "node:crypto";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

import type { Logger } from "pino";

import { applyFault } from "./apply-fault";
import type { CallEntry, CallsSnapshot } from "./call-log";
import { CallWait } from "./call-wait";
import type { FaultRule } from "./fault-schema";
import { faultRuleSchema } from "./fault-schema";
import type { ResolvedFault } from "./fault-store";
import { BodyTooLargeError, newRequestId, readBody, sendError, sendJson, sendRaw } from "./http-io";
import { chatRoute } from "./routes/chat";
import { CONTROL_PREFIX, handleControl } from "./routes/control";
import { imagesRoute } from "./routes/images";
import type { ProviderRoute } from "./routes/provider-route";
import { SimState } from "./sim-state";

export type SimLogger = Pick<Logger, "info" | "warn" | "error">;

export interface StartSimOptions {
  /** 0 picks a free port (what tests use). */
  port?: number;
  host?: string;
  /** Added to every provider call (not to control endpoints or file downloads). */
  latencyMs?: number;
  /** Calls kept in the call log (default 500). */
  callLogSize?: number;
  logger?: SimLogger;
}

export interface SimServer {
  url: string;
  port: number;
  state: SimState;
  addFaults(rules: FaultRule[]): string[];
  clearFaults(): void;
  setLatency(ms: number): void;
  calls(): CallsSnapshot;
  reset(): void;
  close(): Promise<void>;
}

const ROUTES = new Map<string, ProviderRoute>([imagesRoute, chatRoute].map((r) => [r.path, r]));
const FILE_PATH = /^\/files\/([a-f0-9]+)\.png$/;

export async function startSim(options: StartSimOptions = {}): Promise<SimServer> {
  const host = options.host ?? "127.0.0.1";
  const state = new SimState(options.latencyMs ?? 0, options.callLogSize);
  const inflight = new Set<CallWait>();
  const logger = options.logger;

  const server = createServer((req, res) => {
    handleRequest(req, res).catch((err: unknown) => {
      logger?.error({ err }, "sim handler failed");
      sendError(res, 500, String(res.getHeader("x-request-id") ?? newRequestId()));
    });
  });

  async function handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = newRequestId();
    res.setHeader("x-request-id", requestId);
    const method = req.method ?? "GET";
    const url = new URL(req.url ?? "/", "http://sim.invalid");
    const path = url.pathname;

    if (method === "GET" && path === "/healthz") return sendJson(res, 200, { ok: true });
    const file = FILE_PATH.exec(path);
    if (method === "GET" && file?.[1]) {
      const data = state.files.get(file[1]);
      if (data) return sendRaw(res, 200, data, { "content-type": "image/png" });
      return sendError(res, 404, requestId, { message: "The file does not exist or has expired." });
    }

    let raw: Buffer;
    try {
      raw = await readBody(req);
    } catch (err) {
      if (err instanceof BodyTooLargeError) sendError(res, 413, requestId);
      return;
    }
    const json = parseJson(raw);

    if (path.startsWith(CONTROL_PREFIX)) {
      if (json === INVALID) return sendError(res, 400, requestId, { message: "The body is not valid JSON." });
      return handleControl(state, { method, path, query: url.searchParams, json, requestId, res });
    }

    const route = ROUTES.get(path);
    if (!route) return sendError(res, 404, requestId, { message: `Unknown path ${path}.` });
    if (method !== "POST") return sendError(res, 405, requestId, { code: "MethodNotAllowed", message: `Use POST for ${path}.` });

    const entry = state.calls.start({ method, path, requestId });
    const wait = trackCall(res, entry);
    if (json === INVALID) {
      return sendError(res, 400, requestId, { message: "We could not parse the JSON body of your request." });
    }
    const call = route.read(json);
    const facts = { path, bodyHash: hash("sha256", raw), ...call.facts };
    state.calls.describe(entry, facts);

    const fromHeaders = state.faults.fromHeaders(req.headers, facts);
    if (fromHeaders && "error" in fromHeaders) return sendError(res, 400, requestId, { message: fromHeaders.error });
    const fault: ResolvedFault | undefined = fromHeaders ?? state.faults.pick(facts);
    if (fault) entry.fault = fault.source;

    const delayMs = state.latencyMs + (fault?.delayMs ?? 0);
    if (delayMs > 0 && !(await wait.sleep(delayMs))) return; // the client left or the sim is closing
    if (fault) {
      const outcome = applyFault(fault, req, res, requestId);
      if (outcome !== "continue") {
        entry.outcome = outcome;
        return;
      }
    }
    const origin = `http://${req.headers.host ?? `${host}:${port()}`}`;
    call.answer({ requestId, res, origin, files: state.files });
  }

  /** Finalises the log entry when the exchange ends, however it ends, and ends its wait. */
  function trackCall(res: ServerResponse, entry: CallEntry): CallWait {
    const wait = new CallWait();
    inflight.add(wait);
    const startedAt = performance.now();
    res.once("close", () => {
      wait.end();
      inflight.delete(wait);
      entry.durationMs = Math.round(performance.now() - startedAt);
      entry.status = res.headersSent ? res.statusCode : null;
      if (entry.outcome === "pending") {
        entry.outcome = !res.headersSent ? "client_closed" : res.statusCode < 400 ? "ok" : "error";
      }
      logger?.info(
        { requestId: entry.requestId, path: entry.path, status: entry.status, outcome: entry.outcome, fault: entry.fault, durationMs: entry.durationMs },
        "sim call",
      );
    });
    return wait;
  }

  function port(): number {
    return (server.address() as AddressInfo | null)?.port ?? 0;
  }

  await listen(server, options.port ?? 0, host);
  const urlHost = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;
  const url = `http://${urlHost}:${port()}`;
  logger?.info({ url, latencyMs: state.latencyMs }, "sim listening");

  return {
    url,
    port: port(),
    state,
    addFaults: (rules) => state.faults.add(rules.map((rule) => faultRuleSchema.parse(rule))),
    clearFaults: () => void state.faults.clear(),
    setLatency: (ms) => {
      state.latencyMs = ms;
    },
    calls: () => state.calls.snapshot(),
    reset: () => state.reset(),
    close: () => closeServer(server, inflight),
  };
}

const INVALID = Symbol("invalid-json");

function parseJson(raw: Buffer): unknown {
  if (raw.length === 0) return undefined;
  try {
    return JSON.parse(raw.toString("utf8"));
  } catch {
    return INVALID;
  }
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

function closeServer(server: Server, inflight: Set<CallWait>): Promise<void> {
  for (const wait of inflight) wait.end();
  return new Promise((resolve, reject) => {
    server.close((err) => (err ? reject(err) : resolve()));
    // Hung and keep-alive connections would otherwise hold close() open forever.
    server.closeAllConnections();
  });
}
