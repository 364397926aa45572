/** Runs once when the server starts: refuse to start with bad settings, naming the variable. */
export async function register() {
  // eslint-disable-next-line no-restricted-properties -- Next's runtime marker, not a setting
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { env } = await import("./env");
  try {
    env();
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  }
}
