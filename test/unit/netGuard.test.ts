import * as dns from 'node:dns';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { blockedAttempts, isLoopback } from '../helpers/netGuard';

/** jest's setupFiles installed the guard before this file loaded: prove it refuses what must never leave the machine. */
describe('the network guard every test runs under', () => {
  test('sets the variables that keep snowflake-sdk from probing cloud metadata', () => {
    expect(process.env.SNOWFLAKE_DISABLE_PLATFORM_DETECTION).toBe('true');
    expect(process.env.SF_TELEMETRY_DISABLE_CONNECTION_SHAPE).toBe('1');
  });

  test('refuses http to the cloud metadata address and https anywhere off this machine', () => {
    expect(() => http.get('http://169.254.169.254/latest/meta-data/')).toThrow(/netGuard: tests may not reach 169\.254\.169\.254/);
    expect(() => http.request({ host: 'metadata.google.internal', path: '/' })).toThrow(/metadata\.google\.internal/);
    expect(() => https.request('https://fakeacct.snowflakecomputing.com/session/v1/login-request')).toThrow(/snowflakecomputing\.com/);
    expect(blockedAttempts()).toEqual(expect.arrayContaining(['http.get 169.254.169.254', 'https.request fakeacct.snowflakecomputing.com']));
  });

  test('fails DNS lookups and fetch of other hosts', async () => {
    const err = await new Promise<NodeJS.ErrnoException | null>((resolve) => dns.lookup('example.com', (e) => resolve(e)));
    expect(err?.code).toBe('ENOTFOUND');
    await expect(dns.promises.lookup('example.com')).rejects.toThrow(/netGuard/);
    await expect(fetch('http://169.254.169.254/')).rejects.toThrow(/netGuard/);
  });

  test('lets loopback through', async () => {
    expect(['127.0.0.1', 'localhost', '::1', '[::1]'].every(isLoopback)).toBe(true);
    const server = http.createServer((_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const body = await new Promise<string>((resolve, reject) =>
        http.get(`http://127.0.0.1:${port}/`, (res) => {
          let text = '';
          res.on('data', (c) => (text += c)).on('end', () => resolve(text));
        }).on('error', reject),
      );
      expect(body).toBe('ok');
    } finally {
      server.close();
    }
  });
});
