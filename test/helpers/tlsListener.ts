import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { Duplex } from 'node:stream';
import * as tls from 'node:tls';

/**
 * The local PostgreSQL and MariaDB servers offer no TLS, so this listener
 * stands in for a TLS-enabled one at the only point the TLS modes act: the
 * opening of the connection. It speaks each protocol's TLS negotiation
 * (PostgreSQL's SSLRequest, MySQL's handshake with CLIENT_SSL), finishes the
 * TLS handshake with its own certificate, and answers the first message the
 * client sends, encrypted or not, with an error naming what it saw. It never
 * runs a query: what is tested is what the client asked for and checked.
 */
export interface TlsListener {
  port: number;
  /** What the last client did: came in plain, finished a TLS handshake, and whether it presented a certificate. */
  seen: { plain: boolean; tls: boolean; clientCert: boolean };
  close(): Promise<void>;
}

export interface Certificate {
  cert: string;
  key: string;
  /** The PEM files, for sslrootcert / sslcert / sslkey. */
  certFile: string;
  keyFile: string;
}

/** A self-signed certificate (its own CA) naming `san`, e.g. `IP:127.0.0.1` or `DNS:theseus.invalid`. */
export function selfSigned(dir: string, name: string, san: string): Certificate {
  const certFile = path.join(dir, `${name}.crt`);
  const keyFile = path.join(dir, `${name}.key`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', `/CN=${name}`, '-addext', `subjectAltName=${san}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-keyout', keyFile, '-out', certFile], { stdio: 'ignore' });
  return { cert: fs.readFileSync(certFile, 'utf8'), key: fs.readFileSync(keyFile, 'utf8'), certFile, keyFile };
}

export async function startTlsListener(protocol: 'postgres' | 'mysql', certificate: Certificate): Promise<TlsListener> {
  const seen = { plain: false, tls: false, clientCert: false };
  const sockets = new Set<net.Socket>();
  const secure = (socket: net.Socket, leftover: Buffer, reply: (said: string) => Buffer) => {
    const wrapped = new tls.TLSSocket(afterNegotiation(socket, leftover), { isServer: true, secureContext: tls.createSecureContext({ cert: certificate.cert, key: certificate.key }), requestCert: true, rejectUnauthorized: false });
    wrapped.on('error', () => undefined);
    wrapped.once('secure', () => {
      seen.tls = true;
      seen.clientCert = Boolean(wrapped.getPeerCertificate()?.subject);
    });
    wrapped.once('data', () => wrapped.end(reply('reached over TLS')));
  };
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    if (protocol === 'postgres') {
      socket.once('data', (first) => {
        if (first.length >= 8 && first.readInt32BE(4) === 80877103) {
          socket.write('S');
          secure(socket, first.subarray(8), postgresError);
        } else {
          seen.plain = true;
          socket.end(postgresError('reached without TLS'));
        }
      });
    } else {
      socket.write(mysqlPacket(0, mysqlHandshake()));
      socket.once('data', (first) => {
        const capabilities = first.readUInt32LE(4);
        if (capabilities & 0x800) {
          // The SSLRequest is 4 + 32 bytes; the TLS ClientHello may follow in the same chunk.
          secure(socket, first.subarray(36), (said) => mysqlPacket(3, mysqlError(said)));
        } else {
          seen.plain = true;
          socket.end(mysqlPacket(2, mysqlError('reached without TLS')));
        }
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * The socket's bytes after the negotiation message, as a stream of their own: the
 * TLS ClientHello may arrive in the same chunk as the negotiation, and a TLSSocket
 * wrapping the socket itself would read past it.
 */
function afterNegotiation(socket: net.Socket, leftover: Buffer): Duplex {
  const rest = new Duplex({
    read() {},
    write(chunk: Buffer, _encoding, done) {
      socket.write(chunk, done);
    },
    final(done) {
      socket.end();
      done();
    },
  });
  if (leftover.length) rest.push(leftover);
  socket.on('data', (chunk: Buffer) => rest.push(chunk));
  socket.on('end', () => rest.push(null));
  socket.on('close', () => rest.destroy());
  rest.on('error', () => undefined);
  return rest;
}

/** ErrorResponse: severity, SQLSTATE 28000 (invalid authorization), message. */
function postgresError(message: string): Buffer {
  const fields = Buffer.concat([Buffer.from(`SFATAL\0VFATAL\0C28000\0Mtheseus test listener: ${message}\0`), Buffer.from([0])]);
  const head = Buffer.alloc(5);
  head.write('E', 0);
  head.writeInt32BE(fields.length + 4, 1);
  return Buffer.concat([head, fields]);
}

function mysqlPacket(sequence: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeUIntLE(payload.length, 0, 3);
  head.writeUInt8(sequence, 3);
  return Buffer.concat([head, payload]);
}

/** Protocol 10 handshake offering CLIENT_SSL, PROTOCOL_41, SECURE_CONNECTION and PLUGIN_AUTH. */
function mysqlHandshake(): Buffer {
  const capabilities = 0x0000_0200 | 0x0000_0800 | 0x0000_8000 | 0x0008_0000 | 0x0000_0001 | 0x0000_0004 | 0x0000_0008 | 0x0000_2000;
  const parts = [
    Buffer.from([10]),
    Buffer.from('8.0.36-theseus-test\0'),
    Buffer.from([1, 0, 0, 0]),
    Buffer.from('abcdefgh'),
    Buffer.from([0]),
    Buffer.from([capabilities & 0xff, (capabilities >> 8) & 0xff]),
    Buffer.from([0x21]),
    Buffer.from([2, 0]),
    Buffer.from([(capabilities >> 16) & 0xff, (capabilities >> 24) & 0xff]),
    Buffer.from([21]),
    Buffer.alloc(10),
    Buffer.from('ijklmnopqrst\0'),
    Buffer.from('mysql_native_password\0'),
  ];
  return Buffer.concat(parts);
}

/** ERR packet: 1045 (access denied), SQLSTATE 28000. */
function mysqlError(message: string): Buffer {
  return Buffer.concat([Buffer.from([0xff, 1045 & 0xff, 1045 >> 8]), Buffer.from(`#28000theseus test listener: ${message}`)]);
}
