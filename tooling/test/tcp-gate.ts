import net from "node:net";

export interface TcpGateOptions {
  /** What a connection gets while the gate is shut; by default it is closed at once. */
  refuse?: (client: net.Socket) => void;
}

/**
 * A TCP forwarder on 127.0.0.1 that a test can shut, as a database restart, a failover or a load
 * balancer with no backend would: shutting ends every open connection, and new ones are refused
 * (`refuse`) until it opens again.
 */
export async function startTcpGate(target: { host: string; port: number }, options: TcpGateOptions = {}) {
  const refuse = options.refuse ?? ((client: net.Socket) => client.destroy());
  const sockets = new Set<net.Socket>();
  let shut = false;
  let connections = 0;
  const server = net.createServer((client) => {
    connections++;
    if (shut) {
      sockets.add(client);
      client.on("close", () => sockets.delete(client)).on("error", () => client.destroy());
      refuse(client);
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
    /** Connections accepted so far, refused ones included. */
    connections: () => connections,
    shut() {
      shut = true;
      for (const s of sockets) s.destroy();
      sockets.clear();
    },
    open() {
      shut = false;
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
