/**
 * TLS for the emulator: a CA and a serving certificate made at start (or taken from the state file), and
 * one port that answers both https and plain HTTP. kubectl sends a kubeconfig's credentials only over
 * https, so the generated kubeconfig names the https URL with this CA; plain-HTTP clients (tests, curl, the
 * stack's checks) keep the http URL of the same port.
 */
import { webcrypto } from 'node:crypto';
import { createServer as createHttpServer, type RequestListener } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import type { JsonGeneralNames } from '@peculiar/x509';

export interface TlsMaterial {
  /** PEM of the CA that signed the serving certificate (the kubeconfig's certificate-authority-data). */
  caCert: string;
  cert: string;
  key: string;
}

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };

function pem(label: string, der: ArrayBuffer): string {
  const b64 = Buffer.from(der)
    .toString('base64')
    .replace(/(.{64})/g, '$1\n');
  return `-----BEGIN ${label}-----\n${b64.trim()}\n-----END ${label}-----\n`;
}

/** A CA and a server certificate for loopback and the in-cluster names of the API server (10 years). */
export async function makeTlsMaterial(host: string): Promise<TlsMaterial> {
  // Loaded only when certificates are made; @peculiar/x509 needs the Reflect metadata API (tsyringe) first.
  await import('reflect-metadata');
  const x509 = await import('@peculiar/x509');
  x509.cryptoProvider.set(webcrypto as unknown as Crypto);
  const subtle = webcrypto.subtle;
  const notBefore = new Date(Date.now() - 60_000);
  const notAfter = new Date(Date.now() + 10 * 365 * 24 * 3600 * 1000);
  const caKeys = (await subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'CN=meshlens-demo-ca',
    notBefore,
    notAfter,
    signingAlgorithm: ALG,
    keys: caKeys,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  const keys = (await subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
  const names = [
    { type: 'dns', value: 'localhost' },
    { type: 'dns', value: 'kubernetes' },
    { type: 'dns', value: 'kubernetes.default' },
    { type: 'dns', value: 'kubernetes.default.svc' },
    { type: 'dns', value: 'kubernetes.default.svc.cluster.local' },
    { type: 'ip', value: '127.0.0.1' },
    { type: 'ip', value: '::1' },
    { type: 'ip', value: '10.96.0.1' },
  ];
  if (host && !names.some((n) => n.value === host) && host !== '0.0.0.0' && host !== '::')
    names.push({ type: /^[\d.]+$|:/.test(host) ? 'ip' : 'dns', value: host });
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: '02',
    subject: 'CN=kube-apiserver',
    issuer: ca.subject,
    notBefore,
    notAfter,
    signingAlgorithm: ALG,
    publicKey: keys.publicKey,
    signingKey: caKeys.privateKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
        true,
      ),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(names as JsonGeneralNames),
      await x509.AuthorityKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  return {
    caCert: ca.toString('pem'),
    cert: cert.toString('pem'),
    key: pem('PRIVATE KEY', await subtle.exportKey('pkcs8', keys.privateKey)),
  };
}

/**
 * Plain HTTP and TLS on one port: a connection whose first byte opens a TLS handshake (0x16) goes to the
 * https server, any other to the http one. Node replays the peeked byte to either (the TLS socket reads
 * what the plain socket has buffered; the HTTP parser gets it as the first data).
 */
export function listenBoth(
  tls: TlsMaterial,
  handler: RequestListener,
): { server: NetServer; closeAllConnections(): void } {
  const http = createHttpServer(handler);
  const https = createHttpsServer({ key: tls.key, cert: tls.cert }, handler);
  http.keepAliveTimeout = 65_000;
  https.keepAliveTimeout = 65_000;
  const sockets = new Set<Socket>();
  const server = createNetServer({ pauseOnConnect: true }, (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    // A connection that never says anything is not kept (the servers' own timeouts start at hand-over).
    const idle = (): void => void socket.destroy();
    socket.setTimeout(30_000, idle);
    socket.once('readable', () => {
      const first = socket.read(1) as Buffer | null;
      if (!first) return void socket.destroy();
      socket.setTimeout(0);
      socket.off('timeout', idle);
      socket.unshift(first);
      (first[0] === 0x16 ? https : http).emit('connection', socket);
    });
  });
  return {
    server,
    closeAllConnections() {
      http.closeAllConnections();
      https.closeAllConnections();
      for (const s of sockets) s.destroy();
    },
  };
}
