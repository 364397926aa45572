import { fork } from "node:child_process";
import path from "node:path";

export interface WebSideStart {
  kind: "start";
  userId: string;
  datasetId: string;
  castWindow?: number;
  timeoutMs: number;
}

export type WebSideReply =
  | { kind: "ready" }
  | { kind: "ended"; setId: string; status: string; startedS: number; wallS: number; startedAt: number; endedAt: number }
  | { kind: "failed"; message: string };

export type WebSideRun = Extract<WebSideReply, { kind: "ended" }>;

export interface WebSide {
  pid: number | undefined;
  /** Starts a caption run of the whole dataset there and resolves when that side sees it end. */
  captionRun(params: Omit<WebSideStart, "kind">): Promise<WebSideRun>;
  close(): Promise<void>;
}

/**
 * The web's side of the bench in a child process (web-process.ts): in production `captions.start`
 * and the live readers run in the web process, not in the worker's. In this process they had
 * taken the worker's event loop during the run's first ~300 ms (the start call's cast batches)
 * and at every commit after (the set's re-read).
 */
export async function startWebSide(env: { databaseUrl: string; redisUrl: string; prefix: string }): Promise<WebSide> {
  const child = fork(path.join(import.meta.dirname, "web-process.ts"), [], {
    execArgv: ["--import", "tsx"],
    env: { ...process.env, DATABASE_URL: env.databaseUrl, REDIS_URL: env.redisUrl, REDIS_PREFIX: env.prefix },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const next = () =>
    new Promise<WebSideReply>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`bench web side exited (${code})`));
      child.once("exit", onExit);
      child.once("message", (msg: WebSideReply) => {
        child.off("exit", onExit);
        resolve(msg);
      });
    });
  const ready = await next();
  if (ready.kind !== "ready") throw new Error(`bench web side: ${JSON.stringify(ready)}`);
  return {
    pid: child.pid,
    async captionRun(params) {
      const reply = next();
      child.send({ kind: "start", ...params } satisfies WebSideStart);
      const msg = await reply;
      if (msg.kind !== "ended") throw new Error(`bench web side: ${msg.kind === "failed" ? msg.message : msg.kind}`);
      return msg;
    },
    async close() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.send({ kind: "close" });
      await exited;
    },
  };
}
