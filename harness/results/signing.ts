// Signatures of run folders (ed25519, node:crypto): proof that a folder's content comes from a holder
// of the private key. The signed text lists manifest.json and every file whose checksum it records.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.ts';
import { writeFileAtomic } from './csv.ts';
import { CHECKED_FILES } from './outputs.ts';

export const SIGNATURE_FILE = 'signature.json';
const SIGNED_FILES = ['manifest.json', ...CHECKED_FILES] as const;

interface SignatureFile {
  format: 'harness-run-signature/1';
  algorithm: 'ed25519';
  /** sha256 of the public key (SPKI, DER): which key signed. */
  key_sha256: string;
  files: Record<string, string>;
  signature: string;
}

function fileDigests(dir: string): Record<string, string> {
  const digests: Record<string, string> = {};
  for (const name of SIGNED_FILES) {
    const path = join(dir, name);
    if (!existsSync(path)) throw new UserError(`${path}: missing; a run folder is signed whole`);
    digests[name] = createHash('sha256').update(readFileSync(path)).digest('hex');
  }
  return digests;
}

function signedText(digests: Record<string, string>): Buffer {
  return Buffer.from(`harness-run-signature/1\n${SIGNED_FILES.map((name) => `${name} ${digests[name]}\n`).join('')}`);
}

function keyId(key: KeyObject): string {
  return createHash('sha256').update(key.export({ type: 'spki', format: 'der' })).digest('hex');
}

function readKey(file: string, kind: 'private' | 'public'): KeyObject {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UserError(`cannot read ${kind} key ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  let key: KeyObject;
  try {
    key = kind === 'private' ? createPrivateKey(pem) : createPublicKey(pem);
  } catch (error) {
    throw new UserError(`${file}: not a PEM ${kind} key: ${(error as Error).message}`);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new UserError(`${file}: an ${key.asymmetricKeyType} key; expected ed25519 (openssl genpkey -algorithm ed25519, or harness keygen)`);
  return key;
}

/** Writes `<prefix>.key` (private, mode 0600) and `<prefix>.pub.pem`. */
export function generateSigningKey(prefix: string): { privateFile: string; publicFile: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const privateFile = `${prefix}.key`;
  const publicFile = `${prefix}.pub.pem`;
  if (existsSync(privateFile)) throw new UserError(`${privateFile} exists; choose another --out prefix`);
  writeFileSync(privateFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
  writeFileSync(publicFile, publicKey.export({ type: 'spki', format: 'pem' }));
  return { privateFile, publicFile };
}

/** Signs the run folder's files with the private key in `keyFile`; writes signature.json. */
export function signRunFolder(dir: string, keyFile: string): { file: string; keySha256: string } {
  const privateKey = readKey(keyFile, 'private');
  const files = fileDigests(dir);
  const key_sha256 = keyId(createPublicKey(privateKey));
  const content: SignatureFile = { format: 'harness-run-signature/1', algorithm: 'ed25519', key_sha256, files, signature: sign(null, signedText(files), privateKey).toString('base64') };
  const file = join(dir, SIGNATURE_FILE);
  writeFileAtomic(file, `${JSON.stringify(content, null, 2)}\n`);
  return { file, keySha256: key_sha256 };
}

/** Why the folder's signature does not prove it was signed by the trusted key (empty when it does). */
export function signatureProblems(dir: string, trustedKeyFile: string): string[] {
  const trusted = readKey(trustedKeyFile, 'public');
  const file = join(dir, SIGNATURE_FILE);
  if (!existsSync(file)) return [`${file}: missing: the run folder is not signed (harness sign ${dir} --key <private key>)`];
  let content: SignatureFile;
  try {
    content = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    return [`${file}: not valid JSON: ${(error as Error).message}`];
  }
  if (content?.format !== 'harness-run-signature/1' || content.algorithm !== 'ed25519' || typeof content.signature !== 'string') {
    return [`${file}: expected a harness-run-signature/1 ed25519 signature`];
  }
  if (content.key_sha256 !== keyId(trusted)) return [`${file}: signed by key ${String(content.key_sha256).slice(0, 16)}…, not by the trusted key ${trustedKeyFile} (${keyId(trusted).slice(0, 16)}…)`];
  let digests: Record<string, string>;
  try {
    digests = fileDigests(dir);
  } catch (error) {
    if (error instanceof UserError) return [error.message];
    throw error;
  }
  const changed = SIGNED_FILES.filter((name) => content.files?.[name] !== digests[name]);
  if (changed.length) return [`${file}: ${changed.join(', ')} changed after the folder was signed`];
  if (!verify(null, signedText(digests), trusted, Buffer.from(content.signature, 'base64'))) return [`${file}: the signature does not verify with the trusted key ${trustedKeyFile}`];
  return [];
}
