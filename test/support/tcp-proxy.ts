// A TCP forwarder to a local port that can be stopped and started again on the same
// port, so that a client sees its endpoint drop and come back.
import { createServer, connect, type Server, type Socket } from 'node:net';

export type Proxy = { url: string; stop(): Promise<void>; start(): Promise<void> };

export async function startProxy(targetPort: string | number): Promise<Proxy> {
  let server: Server | undefined;
  let port = 0;
  const sockets = new Set<Socket>();
  const start = () =>
    new Promise<void>((resolve, reject) => {
      const s = createServer((incoming) => {
        const outgoing = connect(Number(targetPort), '127.0.0.1');
        for (const socket of [incoming, outgoing]) {
          sockets.add(socket);
          socket.on('close', () => sockets.delete(socket));
          socket.on('error', () => {
            incoming.destroy();
            outgoing.destroy();
          });
        }
        incoming.pipe(outgoing).pipe(incoming);
      });
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => {
        const address = s.address();
        if (typeof address === 'object' && address) port = address.port;
        server = s;
        resolve();
      });
    });
  await start();
  return {
    url: `http://127.0.0.1:${port}`,
    start,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        if (!server) return resolve();
        const s = server;
        server = undefined;
        s.close(() => resolve());
      }),
  };
}
