import { requestedEngines } from './helpers/engines';
import { startCli } from './helpers/processes';
import { type Certificate, type TlsListener, selfSigned, startTlsListener } from './helpers/tlsListener';
import { cleanup, tempDir, writeConfig } from './helpers/warehouse';

/**
 * What each TLS mode asks of a server that does offer TLS: the local servers
 * offer none, so a listener speaking each protocol's TLS negotiation stands in
 * (test/helpers/tlsListener.ts). It answers the first message after the
 * handshake with an error saying whether it came encrypted, so the CLI's one
 * line tells what happened; verification failures never get that far.
 */
const engines = requestedEngines().filter((e) => e !== 'duckdb') as Array<'postgres' | 'mysql'>;

const NAMES = {
  postgres: { scheme: 'postgres', path: '/warehouse', mode: 'sslmode', ca: 'sslrootcert', cert: 'sslcert', key: 'sslkey', modes: { disable: 'disable', prefer: 'prefer', require: 'require', verifyCa: 'verify-ca', verifyFull: 'verify-full' } },
  mysql: { scheme: 'mysql', path: '', mode: 'ssl-mode', ca: 'ssl-ca', cert: 'ssl-cert', key: 'ssl-key', modes: { disable: 'DISABLED', prefer: 'PREFERRED', require: 'REQUIRED', verifyCa: 'VERIFY_CA', verifyFull: 'VERIFY_IDENTITY' } },
} as const;

describe.each(engines)('TLS modes against a TLS-offering %s endpoint', (engine) => {
  const n = NAMES[engine];
  let dir: string;
  /** Names a host this test never connects to: the chain verifies, the host does not. */
  let otherHost: Certificate;
  /** Names 127.0.0.1 and localhost. */
  let thisHost: Certificate;
  let listener: TlsListener | undefined;
  beforeAll(() => {
    dir = tempDir();
    otherHost = selfSigned(dir, 'other-host', 'DNS:theseus.invalid');
    thisHost = selfSigned(dir, 'this-host', 'IP:127.0.0.1,DNS:localhost');
  });
  afterEach(async () => {
    await listener?.close();
    listener = undefined;
  });
  afterAll(() => cleanup(dir));

  async function connect(certificate: Certificate, params: Record<string, string>, host = '127.0.0.1') {
    await listener?.close();
    listener = await startTlsListener(engine, certificate);
    const query = new URLSearchParams(params).toString();
    const url = `${n.scheme}://root@${host}:${listener.port}${n.path}${query ? `?${query}` : ''}`;
    const config = writeConfig(dir, `dialect: ${engine}\nconnection: ${url}\ntables:\n  t:\n    legacy: a.t\n    target: b.t\n    view: c.t\n    key: id\n    cursor: ts\n`, 'migrate.yaml');
    const run = startCli(['status', '--config', config]);
    const { code } = await run.exited;
    return { code, stdout: run.stdout(), stderr: run.stderr(), seen: { ...listener.seen } };
  }

  it(`${n.modes.require} encrypts, without checking the certificate`, async () => {
    const r = await connect(otherHost, { [n.mode]: n.modes.require });
    expect(r.seen).toMatchObject({ tls: true, plain: false });
    expect(r.stderr).toMatch(/^error \[CANNOT_CONNECT\]: .*theseus test listener: reached over TLS\n/);
    expect(r.stdout).toBe('');
    expect(r.code).toBe(5);
  });

  it('the default (prefer) encrypts when the server offers TLS', async () => {
    const r = await connect(otherHost, {});
    expect(r.seen).toMatchObject({ tls: true, plain: false });
    expect(r.stderr).toContain('reached over TLS');
  });

  it(`${n.modes.disable} never encrypts`, async () => {
    const r = await connect(otherHost, { [n.mode]: n.modes.disable });
    expect(r.seen).toMatchObject({ tls: false, plain: true });
    expect(r.stderr).toContain('reached without TLS');
  });

  it(`${n.modes.verifyCa} refuses a certificate no trusted CA signed (TLS_UNTRUSTED)`, async () => {
    const r = await connect(otherHost, { [n.mode]: n.modes.verifyCa });
    expect(r.stderr).toMatch(new RegExp(`^error \\[TLS_UNTRUSTED\\]: .* the server's certificate did not verify \\(${n.mode}=${n.modes.verifyCa}\\): .*self.signed`));
    expect(r.stderr).not.toContain('reached over TLS');
    expect(r.code).toBe(5);
  });

  it(`${n.modes.verifyCa} with ${n.ca} accepts the chain without checking the host`, async () => {
    const r = await connect(otherHost, { [n.mode]: n.modes.verifyCa, [n.ca]: otherHost.certFile });
    expect(r.stderr).toContain('reached over TLS');
  });

  it(`${n.modes.require} with ${n.ca} checks the chain too (libpq's rule)`, async () => {
    const r = await connect(otherHost, { [n.mode]: n.modes.require, [n.ca]: thisHost.certFile });
    expect(r.stderr).toMatch(/^error \[TLS_UNTRUSTED\]: /);
  });

  it(`${n.modes.verifyFull} also checks that the certificate names the host`, async () => {
    // By name: the MySQL driver cannot check an address (see the unit test of that refusal).
    const wrongHost = await connect(otherHost, { [n.mode]: n.modes.verifyFull, [n.ca]: otherHost.certFile }, 'localhost');
    expect(wrongHost.stderr).toMatch(/^error \[TLS_UNTRUSTED\]: .*(does not match|not in the cert's)/);
    expect(wrongHost.stderr).not.toContain('reached over TLS');
    const rightHost = await connect(thisHost, { [n.mode]: n.modes.verifyFull, [n.ca]: thisHost.certFile }, 'localhost');
    expect(rightHost.stderr).toContain('reached over TLS');
  });

  it(`${n.cert} and ${n.key} present a client certificate`, async () => {
    const r = await connect(otherHost, { [n.mode]: n.modes.require, [n.cert]: thisHost.certFile, [n.key]: thisHost.keyFile });
    expect(r.seen).toMatchObject({ tls: true, clientCert: true });
    const without = await connect(otherHost, { [n.mode]: n.modes.require });
    expect(without.seen.clientCert).toBe(false);
  });
});
