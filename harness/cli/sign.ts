// `harness sign <run-dir> --key <private.pem>` and `harness keygen --out <prefix>`: ed25519 signatures
// of run folders, checked by `harness validate <run-dir> --trusted-key <public.pem>`.
import type { Command } from 'commander';
import { generateSigningKey, signRunFolder } from '../results/signing.ts';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.ts';

export function registerSign(program: Command): void {
  program
    .command('sign')
    .description('sign a run folder (manifest.json and the files it checksums) with an ed25519 private key; writes signature.json')
    .argument('<run-dir>', 'a run folder')
    .requiredOption('--key <file>', 'ed25519 private key, PEM (harness keygen, or openssl genpkey -algorithm ed25519)')
    .action((dir: string, opts: { key: string }) => {
      if (!existsSync(join(dir, 'manifest.json'))) throw new UserError(`${dir}: not a run folder (no manifest.json)`);
      const { file, keySha256 } = signRunFolder(dir, opts.key);
      process.stdout.write(`signed: ${file} (key sha256 ${keySha256})\n`);
    });
  program
    .command('keygen')
    .description('make an ed25519 key pair for signing run folders: <prefix>.key (private) and <prefix>.pub.pem (public)')
    .requiredOption('--out <prefix>', 'path prefix of the two files')
    .action((opts: { out: string }) => {
      const { privateFile, publicFile } = generateSigningKey(opts.out);
      process.stdout.write(`private key: ${privateFile} (keep it secret)\npublic key:  ${publicFile} (give it to whoever validates your runs: --trusted-key)\n`);
    });
}
