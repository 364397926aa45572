import net from "node:net";

/**
 * A TCP forwarder on 127.0.0.1 that a test can shut, as a database restart or failover would:
 * shutting ends every open connection and refuses new ones (closed at once) until it opens again.
 */
export async function startTcpGate(target: { host: string; port: number }) {
  const sockets = new Set<net.Socket>();
  let shut = false;
  const server = net.createServer((client) => {
    if (shut) {
      client.destroy();
      return;
    }
    const upstream = net.connect(target.port, target.host);
    sockets.add(client).add(upstream);
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
  if (typeof address !== "object" || !address) throw new Error("gate has no address");
  return {
    port: address.port,
    shut() {
      shut = true;
      for (const s of sockets) s.destroy();
      sockets.clear();
    },
    open() {
      shut = false;
    },
    close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      sockets.clear();
      return closed;
    },
  };
}
