// Deletes the prebuilt native binaries that installed packages ship for other operating systems
// and CPU architectures. Runs as the root `postinstall` (npm ci / npm install); safe to run again.
// It never touches the binaries of the platform it runs on, and does nothing when a package
// ships no binary for this platform (so a user on an unusual platform keeps what there is).
import { existsSync, readdirSync, rmSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const modules = join(root, "node_modules");

// Packages whose binaries live in <dir>/<platform>/<arch>/ for every platform at once.
const multiPlatform = [{ pkg: "onnxruntime-node", dir: "bin/napi-v6" }];

function sizeOf(path) {
  const st = statSync(path);
  if (!st.isDirectory()) return st.size;
  let total = 0;
  for (const entry of readdirSync(path)) total += sizeOf(join(path, entry));
  return total;
}

let freed = 0;
for (const { pkg, dir } of multiPlatform) {
  const base = join(modules, pkg, dir);
  const own = join(base, process.platform, process.arch);
  if (!existsSync(base) || !existsSync(own)) continue;
  for (const platform of readdirSync(base)) {
    const platformDir = join(base, platform);
    if (!statSync(platformDir).isDirectory()) continue;
    if (platform !== process.platform) {
      freed += sizeOf(platformDir);
      rmSync(platformDir, { recursive: true, force: true });
      continue;
    }
    for (const arch of readdirSync(platformDir)) {
      if (arch === process.arch) continue;
      const archDir = join(platformDir, arch);
      freed += sizeOf(archDir);
      rmSync(archDir, { recursive: true, force: true });
    }
  }
  if (freed > 0) {
    console.log(`prune-native: kept ${relative(root, own)}, removed other platforms' binaries`);
  }
}
if (freed > 0) console.log(`prune-native: freed ${(freed / 1e6).toFixed(0)} MB`);
