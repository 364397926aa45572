import type { IncomingHttpHeaders } from "node:http";

import type { z } from "zod";

import type { FaultAction, FaultMatch, faultRuleSchema } from "./fault-schema";
import { FAULT_HEADER_NAMES, faultHeadersSchema } from "./fault-schema";

/** What the sim knows about a provider call when it decides on a fault. */
export interface CallFacts {
  path: string;
  model?: string;
  /** All prompt text of the request (image prompt, or every chat message's text). */
  prompt: string;
  /** Hash of the raw body: a retry of the same request has the same one. */
  bodyHash: string;
}

/** A fault ready to apply, its defaults filled in. */
export interface ResolvedFault {
  source: string;
  status?: number;
  body?: string;
  bodySize?: number;
  delayMs: number;
  retryAfter?: string;
  drop: boolean;
  hang: boolean;
}

type ParsedRule = z.output<typeof faultRuleSchema>;

interface StoredRule {
  id: string;
  rule: ParsedRule;
  fired: number;
}

export interface FaultRuleView extends ParsedRule {
  id: string;
  fired: number;
}

export class FaultStore {
  private rules: StoredRule[] = [];
  private nextId = 1;
  /** Calls already failed per fail-first key. */
  private failCounts = new Map<string, number>();

  add(rules: ParsedRule[]): string[] {
    return rules.map((rule) => {
      const id = `rule_${this.nextId++}`;
      this.rules.push({ id, rule, fired: 0 });
      return id;
    });
  }

  clear(): number {
    const count = this.rules.length;
    this.rules = [];
    this.failCounts.clear();
    return count;
  }

  list(): FaultRuleView[] {
    return this.rules.map(({ id, rule, fired }) => ({ id, fired, ...rule }));
  }

  /** First live rule that matches and still wants to fail this call; counts the firing. */
  pick(facts: CallFacts): ResolvedFault | undefined {
    for (const stored of this.rules) {
      const { rule } = stored;
      if (rule.times !== undefined && stored.fired >= rule.times) continue;
      if (!matches(rule.match, facts)) continue;
      if (!this.takeFailFirst(`${stored.id}:${facts.path}:${facts.bodyHash}`, rule.failFirst)) continue;
      stored.fired++;
      return resolve(stored.id, rule);
    }
    return undefined;
  }

  /**
   * Reads `x-sim-*` headers. Returns undefined when none are set or fail-first has passed,
   * and an error string when a header is malformed (the sim answers 400 rather than guess).
   */
  fromHeaders(headers: IncomingHttpHeaders, facts: CallFacts): ResolvedFault | undefined | { error: string } {
    const raw: Record<string, string> = {};
    for (const name of FAULT_HEADER_NAMES) {
      const value = headers[name];
      if (typeof value === "string") raw[name] = value;
    }
    if (Object.keys(raw).length === 0) return undefined;
    const parsed = faultHeadersSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return { error: `Invalid fault header ${String(issue?.path[0] ?? "")}: ${issue?.message ?? "bad value"}` };
    }
    const h = parsed.data;
    const action: FaultAction = {
      status: h["x-sim-status"],
      body: h["x-sim-body"],
      bodySize: h["x-sim-body-size"],
      delayMs: h["x-sim-delay-ms"],
      retryAfter: h["x-sim-retry-after"],
      failFirst: h["x-sim-fail-first"],
      drop: h["x-sim-drop"],
      hang: h["x-sim-hang"],
    };
    const key = `header:${h["x-sim-fail-key"] ?? `${facts.path}:${facts.bodyHash}`}`;
    if (!this.takeFailFirst(key, action.failFirst)) return undefined;
    return resolve("headers", action);
  }

  private takeFailFirst(key: string, failFirst: number | undefined): boolean {
    if (failFirst === undefined) return true;
    const failed = this.failCounts.get(key) ?? 0;
    if (failed >= failFirst) return false;
    this.failCounts.set(key, failed + 1);
    return true;
  }
}

function matches(match: FaultMatch, facts: CallFacts): boolean {
  if (match.path !== undefined && match.path !== facts.path) return false;
  if (match.model !== undefined && match.model !== facts.model) return false;
  if (match.promptContains !== undefined && !facts.prompt.includes(match.promptContains)) return false;
  return true;
}

function resolve(source: string, action: FaultAction): ResolvedFault {
  const defaultStatus = action.retryAfter !== undefined ? 429 : action.failFirst !== undefined ? 503 : undefined;
  return {
    source,
    status: action.status ?? defaultStatus,
    body: action.body,
    bodySize: action.bodySize,
    delayMs: action.delayMs ?? 0,
    retryAfter: action.retryAfter === undefined ? undefined : String(action.retryAfter),
    drop: action.drop ?? false,
    hang: action.hang ?? false,
  };
}
