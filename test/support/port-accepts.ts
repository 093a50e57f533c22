import { connect } from 'node:net';

/** Whether something accepts TCP connections on the loopback port now. */
export function portAccepts(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => (socket.end(), done(true)));
    socket.once('error', () => done(false));
  });
}
