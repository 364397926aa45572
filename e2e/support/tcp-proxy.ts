import net from "node:net";

/**
 * A TCP proxy on 127.0.0.1 in front of the web server, so a test can cut every open connection
 * (the SSE stream included) and, while "down", answer new connections with a 502 the way a load
 * balancer with no backend does (an EventSource gives up on a non-200; the client must reopen).
 */
export async function startTcpProxy(target: URL) {
  const sockets = new Set<net.Socket>();
  let down = false;
  let connections = 0;
  const server = net.createServer((client) => {
    connections++;
    if (down) {
      sockets.add(client);
      client.on("close", () => sockets.delete(client)).on("error", () => client.destroy());
      client.end("HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
      return;
    }
    const upstream = net.connect(Number(target.port), target.hostname);
    sockets.add(client);
    sockets.add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on("error", drop).on("close", drop);
    upstream.on("error", drop).on("close", drop);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (typeof address !== "object" || !address) throw new Error("proxy has no address");
  return {
    url: `http://127.0.0.1:${address.port}`,
    connections: () => connections,
    /** Destroys every open connection; with `stayDown`, new ones get a 502 until `restore()`. */
    cut(stayDown = false) {
      down = stayDown;
      for (const s of sockets) s.destroy();
      sockets.clear();
    },
    restore() {
      down = false;
    },
    /** Stops listening and destroys what is still open (keep-alive sockets would hold close() forever). */
    close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      sockets.clear();
      return closed;
    },
  };
}
