import sharp from "sharp";

/** A tRPC mutation over HTTP as the signed-in `cookie`; returns its JSON result. */
export async function mutateOverHttp<T>(baseURL: string, cookie: string, path: string, input: unknown): Promise<T> {
  const res = await fetch(`${baseURL}/api/trpc/${path}`, {
    method: "POST",
    headers: { cookie, origin: baseURL, "content-type": "application/json" },
    body: JSON.stringify({ json: input }),
  });
  return resultOf<T>(path, res);
}

/** A tRPC query over HTTP as the signed-in `cookie`. */
export async function queryOverHttp<T>(baseURL: string, cookie: string, path: string, input: unknown): Promise<T> {
  const res = await fetch(`${baseURL}/api/trpc/${path}?input=${encodeURIComponent(JSON.stringify({ json: input }))}`, { headers: { cookie } });
  return resultOf<T>(path, res);
}

async function resultOf<T>(path: string, res: Response): Promise<T> {
  const text = await res.text();
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${text}`);
  return (JSON.parse(text) as { result: { data: { json: T } } }).result.data.json;
}

/** Images into a dataset over HTTP, 100 to a request (the route's limit), one request at a time. */
export async function uploadOverHttp(baseURL: string, cookie: string, datasetId: string, files: ReadonlyArray<{ name: string; bytes: Uint8Array }>) {
  for (let start = 0; start < files.length; start += 100) {
    const form = new FormData();
    for (const file of files.slice(start, start + 100)) form.append("file", new Blob([new Uint8Array(file.bytes)], { type: "image/png" }), file.name);
    const res = await fetch(`${baseURL}/api/datasets/${datasetId}/images`, { method: "POST", headers: { cookie, origin: baseURL }, body: form });
    if (!res.ok) throw new Error(`upload: HTTP ${res.status} ${await res.text()}`);
  }
}

/** `count` distinct small PNGs, named `img_00000.png`…. */
export async function smallPngs(count: number): Promise<Array<{ name: string; bytes: Uint8Array }>> {
  const files = [];
  for (let i = 0; i < count; i++) {
    const png = await sharp({ create: { width: 16, height: 16, channels: 3, background: { r: i % 256, g: (i >> 8) % 256, b: 7 } } }).png().toBuffer();
    files.push({ name: `img_${String(i).padStart(5, "0")}.png`, bytes: new Uint8Array(png) });
  }
  return files;
}

/** A new dataset of `count` distinct small PNGs (`img_00000.png`…), uploaded over HTTP. */
export async function datasetOverHttp(baseURL: string, cookie: string, name: string, count: number): Promise<{ id: string }> {
  const dataset = await mutateOverHttp<{ id: string }>(baseURL, cookie, "datasets.create", { name });
  await uploadOverHttp(baseURL, cookie, dataset.id, await smallPngs(count));
  return dataset;
}

/** The cookies of an HTTP sign-in (`a=1; b=2`), for a browser context to act as that user. */
export function cookiesFor(baseURL: string, cookie: string): Array<{ name: string; value: string; url: string }> {
  return cookie.split("; ").map((pair) => {
    const at = pair.indexOf("=");
    return { name: pair.slice(0, at), value: pair.slice(at + 1), url: baseURL };
  });
}
