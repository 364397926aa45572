import { unzipSync, strFromU8 } from "fflate";
import { afterAll, describe, expect, it } from "vitest";

import { createApiHarness } from "../testing/api-harness";
import { finishedCaptionRun } from "../testing/finished-caption-run";
import { serveCaptionExport } from "./caption-export";

const api = createApiHarness({ startingCredits: 100 });
afterAll(() => api.cleanup());

const finishedRun = (owner: Awaited<ReturnType<typeof api.signUp>>) => finishedCaptionRun(api, owner, (index) => `caption "${index}"\nline two`);

const get = (setId: string, format: string, headers: Record<string, string>) =>
  serveCaptionExport(api.deps, new Request(`http://localhost/api/caption-sets/${setId}/export?format=${format}`, { headers }), { setId });

describe("caption export (HTTP, owner only)", () => {
  it("zip entries are .txt sidecars named like their images; JSONL lines parse to { file_name, text }", async () => {
    const owner = await api.signUp("Exporter");
    const { set, names } = await finishedRun(owner);
    const zip = await get(set.id, "zip", { cookie: owner.cookie });
    expect(zip.status).toBe(200);
    expect(zip.headers.get("content-type")).toBe("application/zip");
    const entries = unzipSync(new Uint8Array(await zip.arrayBuffer()));
    expect(Object.keys(entries).sort()).toEqual(["bird.txt", "cat one.txt", "dog.txt"]);
    expect(strFromU8(entries["dog.txt"] ?? new Uint8Array())).toBe('caption "1"\nline two');

    const jsonl = await get(set.id, "jsonl", { cookie: owner.cookie });
    expect(jsonl.status).toBe(200);
    const lines = (await jsonl.text()).trim().split("\n").map((l) => JSON.parse(l) as { file_name: string; text: string });
    expect(lines.map((l) => l.file_name)).toEqual(names);
    expect(lines[0]?.text).toBe('caption "0"\nline two');
  });

  it("another user gets 404, nobody signed in 401, an unknown format 400", async () => {
    const owner = await api.signUp("Owner");
    const other = await api.signUp("Other");
    const { set } = await finishedRun(owner);
    expect((await get(set.id, "zip", { cookie: other.cookie })).status).toBe(404);
    expect((await get(set.id, "jsonl", {})).status).toBe(401);
    expect((await get(set.id, "csv", { cookie: owner.cookie })).status).toBe(400);
  });

  it("edits keep versions, revert restores, bulk replace and trigger prefix change only finished captions; others can't edit", async () => {
    const owner = await api.signUp("Editor");
    const other = await api.signUp("Intruder");
    const { set } = await finishedRun(owner);
    const { captions } = await owner.caller.captions.get({ setId: set.id });
    const first = captions[0];
    if (!first) throw new Error("no caption");
    const edited = await owner.caller.captions.edit({ captionId: first.id, text: "a small cat" });
    expect(edited.text).toBe("a small cat");
    await expect(other.caller.captions.edit({ captionId: first.id, text: "mine now" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(owner.caller.captions.edit({ captionId: first.id, text: "   " })).rejects.toMatchObject({ code: "BAD_REQUEST", message: "A caption cannot be empty" });
    const versions = await owner.caller.captions.versions({ captionId: first.id });
    expect(versions.map((v) => v.version)).toEqual([1, 2]);
    const reverted = await owner.caller.captions.revert({ captionId: first.id, version: 1 });
    expect(reverted.text).toBe(versions[0]?.text);
    await expect(owner.caller.captions.replace({ setId: set.id, find: "line two", replace: "second line" })).resolves.toEqual({ changed: 3 });
    await expect(owner.caller.captions.prefix({ setId: set.id, word: "sks" })).resolves.toEqual({ changed: 3 });
    await expect(owner.caller.captions.prefix({ setId: set.id, word: "sks" })).resolves.toEqual({ changed: 0 });
    await expect(other.caller.captions.prefix({ setId: set.id, word: "x" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    const after = await owner.caller.captions.get({ setId: set.id });
    expect(after.captions.every((c) => c.text?.startsWith("sks, ") && c.text.includes("second line"))).toBe(true);
    expect(await owner.caller.captions.versions({ captionId: first.id })).toHaveLength(5);
  });
});
