const MAX_SLUG = 60;

/**
 * The file name a generated image downloads as: its prompt's first words as a plain ASCII slug
 * (so it is safe in a Content-Disposition header and on every file system) and the session id's
 * first 8 characters, which keep two images of one prompt apart: `quiet-harbour-at-dawn-1a2b3c4d.png`.
 */
export function generatedImageFileName(session: { id: string; prompt: string }): string {
  const words = session.prompt
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  let slug = "";
  for (const word of words) {
    const next = slug ? `${slug}-${word}` : word;
    if (next.length > MAX_SLUG) break;
    slug = next;
  }
  // A first word longer than the limit is cut; a prompt with no ASCII letters is named for what it is.
  if (!slug) slug = words[0]?.slice(0, MAX_SLUG) ?? "image";
  return `${slug}-${session.id.slice(0, 8)}.png`;
}
