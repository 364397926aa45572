// Finds or starts PostgreSQL and Redis for `npm start` and `npm test`.
// Plain Node (no dependencies): it runs before `npm ci` has installed anything.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, chownSync } from "node:fs";
import net from "node:net";
import path from "node:path";

const PRIVATE_PG_PORT = 55432;
const PRIVATE_REDIS_PORT = 56379;

export function portAnswers(port, host = "127.0.0.1", timeoutMs = 800) {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

function which(bin) {
  const r = spawnSync("sh", ["-c", `command -v ${bin}`], { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : null;
}

function findPostgresBin(name) {
  const onPath = which(name);
  if (onPath) return onPath;
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return null;
  const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  for (const v of versions) {
    const candidate = path.join(root, v, "bin", name);
    if (existsSync(candidate)) return candidate;
  }
  return null;
}

const isRoot = typeof process.getuid === "function" && process.getuid() === 0;

/** initdb and postgres refuse to run as root: run them as the postgres user then. */
function runAsPostgresUser(bin, args) {
  const [cmd, argv] = isRoot ? ["runuser", ["-u", "postgres", "--", bin, ...args]] : [bin, args];
  execFileSync(cmd, argv, { stdio: "inherit" });
}

async function startPrivatePostgres(dataRoot, log) {
  const initdb = findPostgresBin("initdb");
  const pgCtl = findPostgresBin("pg_ctl");
  if (!initdb || !pgCtl) return null;
  const dir = path.join(dataRoot, "postgres");
  if (!existsSync(path.join(dir, "PG_VERSION"))) {
    mkdirSync(dir, { recursive: true });
    if (isRoot) chownTree(dir, "postgres");
    log(`initialising a private PostgreSQL in ${dir}`);
    runAsPostgresUser(initdb, ["-D", dir, "-U", "postgres", "-A", "trust", "--no-sync"]);
  }
  log(`starting private PostgreSQL on 127.0.0.1:${PRIVATE_PG_PORT}`);
  runAsPostgresUser(pgCtl, [
    "-D", dir, "-l", path.join(dir, "server.log"), "-w",
    "-o", `-p ${PRIVATE_PG_PORT} -h 127.0.0.1 -k ${dir}`, "start",
  ]);
  return {
    url: `postgres://postgres@127.0.0.1:${PRIVATE_PG_PORT}/spellcast`,
    stop: () => runAsPostgresUser(pgCtl, ["-D", dir, "-m", "fast", "-w", "stop"]),
  };
}

function chownTree(dir, user) {
  const uid = Number(execFileSync("id", ["-u", user], { encoding: "utf8" }).trim());
  const gid = Number(execFileSync("id", ["-g", user], { encoding: "utf8" }).trim());
  chownSync(path.dirname(dir), uid, gid);
  chownSync(dir, uid, gid);
}

async function startPrivateRedis(dataRoot, log) {
  const server = which("redis-server");
  if (!server) return null;
  const dir = path.join(dataRoot, "redis");
  mkdirSync(dir, { recursive: true });
  log(`starting private Redis on 127.0.0.1:${PRIVATE_REDIS_PORT}`);
  execFileSync(server, [
    "--port", String(PRIVATE_REDIS_PORT), "--bind", "127.0.0.1", "--daemonize", "yes",
    "--dir", dir, "--pidfile", path.join(dir, "redis.pid"), "--logfile", path.join(dir, "redis.log"),
    "--save", "", "--appendonly", "no", "--maxmemory-policy", "noeviction",
  ]);
  for (let i = 0; i < 50 && !(await portAnswers(PRIVATE_REDIS_PORT)); i++) await sleep(100);
  const cli = which("redis-cli");
  return {
    url: `redis://127.0.0.1:${PRIVATE_REDIS_PORT}`,
    stop: () => cli && spawnSync(cli, ["-p", String(PRIVATE_REDIS_PORT), "shutdown", "nosave"]),
  };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Uses the configured (or standard local) Postgres and Redis when they answer; otherwise starts
 * private instances under `dataRoot` from the installed server binaries. Returns the URLs to use
 * and a stop() for whatever it started. Exits with a clear message when neither is possible.
 */
export async function ensureServices({ dataRoot, log = console.log }) {
  const started = [];
  const pgUrl = new URL(process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/spellcast");
  let databaseUrl = pgUrl.toString();
  if (!(await portAnswers(Number(pgUrl.port || 5432), pgUrl.hostname))) {
    if (await portAnswers(PRIVATE_PG_PORT)) {
      databaseUrl = `postgres://postgres@127.0.0.1:${PRIVATE_PG_PORT}${pgUrl.pathname}`;
    } else {
      const pg = await startPrivatePostgres(dataRoot, log);
      if (!pg) fail("PostgreSQL", "postgresql (Debian: apt-get install postgresql)");
      started.push(pg);
      databaseUrl = pg.url.replace(/\/spellcast$/, pgUrl.pathname);
    }
  }
  const redisUrlIn = new URL(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
  let redisUrl = redisUrlIn.toString().replace(/\/$/, "");
  if (!(await portAnswers(Number(redisUrlIn.port || 6379), redisUrlIn.hostname))) {
    if (await portAnswers(PRIVATE_REDIS_PORT)) {
      redisUrl = `redis://127.0.0.1:${PRIVATE_REDIS_PORT}`;
    } else {
      const redis = await startPrivateRedis(dataRoot, log);
      if (!redis) fail("Redis", "redis-server (Debian: apt-get install redis-server)");
      started.push(redis);
      redisUrl = redis.url;
    }
  }
  return {
    databaseUrl,
    redisUrl,
    stop: () => {
      for (const s of started.reverse()) {
        try {
          s.stop();
        } catch (err) {
          log(`could not stop a private service: ${err.message}`);
        }
      }
    },
  };
}

function fail(what, install) {
  console.error(
    `\n${what} is not answering on its configured address, and no ${what} server binary was found to ` +
      `start a private one.\nInstall ${install}, or point the URL in .env at a running server.\n`,
  );
  process.exit(1);
}
