import { readdir, readFile } from "node:fs/promises";
import { availableParallelism } from "node:os";

/*
 * CPU time of every process a bench drives — this one (the worker runs in it), Postgres (all its
 * processes: backends, WAL writer…), the sim and Redis — read from Linux's /proc, so a figure can
 * say how much of the machine a run used. When the processes together need more CPU than the
 * cores give in the run's wall time, the run is CPU-bound: no scheduling of jobs can beat
 * `cpuS ÷ cores`, and only less CPU per item moves the figure.
 */

/** Linux reports utime/stime in USER_HZ ticks, 100 per second on every architecture Node runs on. */
const TICKS_PER_S = 100;

export interface CpuGroups {
  /** Pid of the sim process. */
  simPid?: number;
  /** Pid of the Redis server (INFO server → process_id). */
  redisPid?: number;
  /** Pid of the process playing the web's part (the start call, the live reader). */
  webPid?: number;
}

export type CpuByProcess = Record<"worker" | "web" | "postgres" | "sim" | "redis", number>;

export interface MachineCpu {
  /** CPU seconds per process group over the window. */
  cpuS: CpuByProcess;
  /** All of it. */
  totalS: number;
  /** The least wall time that CPU needs on this machine's cores. */
  cpuFloorS: number;
  cores: number;
}

/** Starts measuring; `stop()` returns what each group used since. Null when /proc is not there. */
export async function startMachineCpu(groups: CpuGroups): Promise<{ stop: () => Promise<MachineCpu> } | null> {
  const before = await readGroups(groups);
  if (!before) return null;
  return {
    async stop() {
      const after = (await readGroups(groups)) ?? before;
      const cpuS = {
        worker: after.worker - before.worker,
        web: after.web - before.web,
        postgres: after.postgres - before.postgres,
        sim: after.sim - before.sim,
        redis: after.redis - before.redis,
      };
      const totalS = cpuS.worker + cpuS.web + cpuS.postgres + cpuS.sim + cpuS.redis;
      const cores = availableParallelism();
      return { cpuS, totalS, cpuFloorS: totalS / cores, cores };
    },
  };
}

async function readGroups(groups: CpuGroups): Promise<CpuByProcess | null> {
  let pids: string[];
  try {
    pids = (await readdir("/proc")).filter((name) => /^\d+$/.test(name));
  } catch {
    return null;
  }
  const totals: CpuByProcess = { worker: 0, web: 0, postgres: 0, sim: 0, redis: 0 };
  await Promise.all(
    pids.map(async (pid) => {
      const stat = await readStat(pid);
      if (!stat) return;
      const group =
        Number(pid) === process.pid ? "worker"
        : Number(pid) === groups.simPid ? "sim"
        : Number(pid) === groups.redisPid ? "redis"
        : Number(pid) === groups.webPid ? "web"
        : stat.comm === "postgres" ? "postgres"
        : null;
      if (group) totals[group] += stat.cpuS;
    }),
  );
  return totals;
}

/** comm and utime + stime of one process; null if it is gone. Dead children's time is not counted. */
async function readStat(pid: string): Promise<{ comm: string; cpuS: number } | null> {
  let text: string;
  try {
    text = await readFile(`/proc/${pid}/stat`, "utf8");
  } catch {
    return null;
  }
  // "pid (comm) state ppid …": comm may hold spaces and parentheses, so split after the last ")".
  const open = text.indexOf("(");
  const close = text.lastIndexOf(")");
  const fields = text.slice(close + 2).split(" ");
  // Fields after comm start at field 3 (state); utime and stime are fields 14 and 15.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) return null;
  return { comm: text.slice(open + 1, close), cpuS: (utime + stime) / TICKS_PER_S };
}
