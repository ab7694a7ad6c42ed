// Bundles the Electron side with esbuild: main process, preload, the hub's utility process and its position writer and checkpointer threads, as
// CommonJS in dist/main/app/ (package.json "main" points at main.cjs). The preload runs sandboxed and
// may require nothing but electron, so it is one self-contained file. Only native modules stay outside
// the bundles (better-sqlite3 is rebuilt for Electron at packaging time and unpacked from the asar).
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import fs from 'node:fs/promises';
import { build } from 'esbuild';
import type { Plugin } from 'esbuild';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const MAIN_OUT = path.join(ROOT, 'dist', 'main', 'app');

// pdfkit reads its font metrics from files beside its own code (js/data/*.afm), which a bundle would not carry.
const EXTERNAL = ['electron', 'better-sqlite3', 'bufferutil', 'utf-8-validate', 'pdfkit'];

/**
 * Our modules find their files next to their source (`new URL('../../resources/…', import.meta.url)`).
 * In a CommonJS bundle there is no import.meta, so each module's import.meta.url becomes the URL its
 * source file would have inside the app folder (the repo in development, app.asar when packaged):
 * the bundle sits in <app>/dist/main/app/, three levels below it.
 */
const sourceUrls: Plugin = {
  name: 'xiuhua-source-urls',
  setup(b) {
    b.onLoad({ filter: /\.tsx?$/ }, async (args) => {
      const text = await fs.readFile(args.path, 'utf8');
      if (!text.includes('import.meta.url') || args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
      const rel = path.relative(ROOT, args.path).split(path.sep).join('/');
      const url = `require("node:url").pathToFileURL(require("node:path").join(__dirname, "../../..", ${JSON.stringify(rel)})).href`;
      return { contents: text.replaceAll('import.meta.url', url), loader: args.path.endsWith('x') ? 'tsx' : 'ts' };
    });
  },
};

export async function buildMain(): Promise<string[]> {
  const common = {
    outdir: MAIN_OUT,
    outExtension: { '.js': '.cjs' },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    // Electron 45 runs Node 22.
    target: 'node22',
    external: EXTERNAL,
    sourcemap: 'linked',
    logLevel: 'warning',
    metafile: true,
    // Tells store/position-writer.ts and store/checkpointer.ts that their threads' code is a bundle, not the .ts file.
    define: { __XIUHUA_BUNDLE__: 'true' },
  } as const;
  const [node, preload] = await Promise.all([
    build({
      ...common,
      entryPoints: {
        main: path.join(ROOT, 'main/app/main.ts'), 'hub-process': path.join(ROOT, 'main/app/hub-process.ts'),
        // the hub's position writer thread (store/position-writer.ts)
        'position-writer': path.join(ROOT, 'main/store/position-writer-worker.ts'),
        // the hub's WAL checkpointer thread (store/checkpointer.ts)
        checkpointer: path.join(ROOT, 'main/store/checkpointer-worker.ts'),
      },
      plugins: [sourceUrls],
    }),
    // A sandboxed preload can require electron and little else: no banner, nothing external but electron.
    build({ ...common, entryPoints: { preload: path.join(ROOT, 'main/app/preload.ts') }, external: ['electron'] }),
  ]);
  return [...Object.keys(node.metafile.outputs), ...Object.keys(preload.metafile.outputs)].filter((f) => f.endsWith('.cjs'));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  buildMain().then(
    (files) => process.stdout.write(`built ${files.join(', ')}\n`),
    (e: unknown) => {
      process.stderr.write(`build-main failed: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}
