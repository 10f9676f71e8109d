// A TCP port on 127.0.0.1 that nothing listens on right now, for tests of connecting to
// a dead endpoint. Servers under test never take a port from here: they bind port 0
// and report the port they got, so two test runs can never race for one.
import { createServer } from 'node:net';

export function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port assigned'))));
    });
  });
}
