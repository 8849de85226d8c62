// Bundles the demo plugin (plugin/main.js) with Oracle's @ofs-users/plugin and @ofs-users/proxy as published:
// their code goes into dist/plugin.js unchanged. The proxy imports node's "fs" for a helper that reads files (never
// called in a browser): it is given an empty module here, as a plugin developer's bundler config does.
import { build } from "esbuild";

await build({
  entryPoints: [new URL("./plugin/main.js", import.meta.url).pathname],
  outfile: new URL("./dist/plugin.js", import.meta.url).pathname,
  bundle: true,
  format: "esm",
  platform: "browser",
  target: "es2022",
  legalComments: "linked",
  logLevel: "warning",
  plugins: [{
    name: "no-node-fs",
    setup(b) {
      b.onResolve({ filter: /^fs$/ }, () => ({ path: "fs", namespace: "empty" }));
      b.onLoad({ filter: /.*/, namespace: "empty" }, () => ({ contents: "export function readFileSync() { throw new Error('no files in a browser'); }", loader: "js" }));
    },
  }],
});
