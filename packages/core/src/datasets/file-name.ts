/** Longest stored file name, in characters (most file systems allow 255 bytes). */
export const FILE_NAME_MAX = 200;

export type FileNameCheck = { ok: true; name: string } | { ok: false; reason: string };

// Control characters (C0, DEL, C1) and the bidi overrides that make a name read differently.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
/** Characters Windows and zip tools refuse in names; replaced, not rejected. */
const RESERVED = /[<>:"|?*]/g;

/**
 * The safe name to store for an uploaded file. Folders an uploader sent along ("photos/cat.png")
 * are dropped, but anything that tries to climb or root a path (`../x.png`, `/etc/x.png`,
 * `C:\x.png`), and any control character or NUL, is refused with the reason.
 */
export function sanitizeFileName(raw: string): FileNameCheck {
  if (CONTROL.test(raw)) return { ok: false, reason: "file name contains control characters" };
  const name = raw.normalize("NFC").trim();
  if (!name) return { ok: false, reason: "file has no name" };
  if (/^[/\\]/.test(name) || /^[A-Za-z]:/.test(name)) {
    return { ok: false, reason: "file name is an absolute path; send the bare file name" };
  }
  const segments = name.split(/[/\\]/);
  if (segments.some((s) => s.trim() === "..")) {
    return { ok: false, reason: "file name tries to leave its folder (../); send the bare file name" };
  }
  const base = (segments.at(-1) ?? "").trim().replace(RESERVED, "_");
  if (!base || base === ".") return { ok: false, reason: "file name is a folder, not a file" };
  if (base.startsWith(".")) return { ok: false, reason: "hidden file names (starting with a dot) are not accepted" };
  if ([...base].length > FILE_NAME_MAX) {
    return { ok: false, reason: `file name is longer than ${FILE_NAME_MAX} characters` };
  }
  return { ok: true, name: base };
}

/** "cat.png" → "cat": what every name `uniqueFileName` may give `name` starts with. */
export function fileStem(name: string): string {
  const dot = name.lastIndexOf(".");
  return dot > 0 ? name.slice(0, dot) : name;
}

/** "cat.png" → "cat (2).png", "cat (3).png"… until the name is free in `taken` (compared case-insensitively). */
export function uniqueFileName(name: string, taken: ReadonlySet<string>): string {
  if (!taken.has(name.toLowerCase())) return name;
  const stem = fileStem(name);
  const ext = name.slice(stem.length);
  for (let n = 2; ; n++) {
    const candidate = `${stem} (${n})${ext}`;
    if (!taken.has(candidate.toLowerCase())) return candidate;
  }
}

/** A name fit to echo back in a rejection: control characters shown as "?", at most 300 characters. */
export function displayFileName(raw: string): string {
  // eslint-disable-next-line no-control-regex
  const shown = raw.replace(/[\u0000-\u001f\u007f-\u009f]/g, "?");
  return shown.length > 300 ? `${shown.slice(0, 299)}…` : shown || "(unnamed)";
}
