// Installs dependencies when they are missing or older than the lockfile.
//
// Not `npm ci`: this machine's registry lacks some platform packages that other platforms need
// (turbo's darwin/windows binaries answer 404), so the lockfile cannot list them and `npm ci`
// refuses it as "out of sync". `npm install` with the committed lockfile installs exactly the
// locked versions and leaves the lockfile unchanged (checked on a fresh clone).
// Its `postinstall` applies `patches/` (patch-package), so a newer patch installs again too.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";

export function ensureInstalled(root, log = console.log) {
  const marker = path.join(root, "node_modules", ".package-lock.json");
  const patches = path.join(root, "patches");
  const inputs = [path.join(root, "package-lock.json"), ...(existsSync(patches) ? readdirSync(patches).map((f) => path.join(patches, f)) : [])];
  const newest = Math.max(...inputs.map((f) => statSync(f).mtimeMs));
  if (existsSync(marker) && statSync(marker).mtimeMs >= newest) return;
  log("installing dependencies (npm install, locked versions)…");
  execFileSync("npm", ["install", "--no-audit", "--no-fund"], { cwd: root, stdio: "inherit" });
}
