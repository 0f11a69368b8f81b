/**
 * The server may end an idle session (pg_terminate_backend or KILL, an idle timeout, a restart); pg and mysql2
 * both say so with an 'error' or 'end' event on the connection. Returns whether either has happened.
 */
export function watchForLoss(connection: { on(event: 'error' | 'end', listener: () => void): unknown }): () => boolean {
  let lost = false;
  connection.on('error', () => (lost = true));
  connection.on('end', () => (lost = true));
  return () => lost;
}
