// Runs micropython/tests on a real MicroPython: the WebAssembly port (npm package
// @micropython/micropython-webassembly-pyscript, pinned in package.json) under Node.
//
// The module, the tests and the vector files are copied into MicroPython's in-memory
// filesystem: /lib (certpin*.py), /examples, /tests, /testdata (the repository's), and
// /shared/vectors (../shared/vectors beside the checkout, when present). Then:
//   1. the test suite (tests/harness.py runs every test_* function) in a roomy heap;
//   2. a check that the module imports and pins a leaf inside a 100 KB heap, the size of
//      a small ESP32-class board's MicroPython heap.
// The last line printed is exactly "N passed, M failed"; the exit status is non-zero if
// M > 0 or anything could not run.

import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadMicroPython } from "@micropython/micropython-webassembly-pyscript";

const here = path.dirname(fileURLToPath(import.meta.url));
const micropythonDir = path.resolve(here, "..");
const repo = path.resolve(micropythonDir, "..");

function copyTree(mp, src, dst, filter = () => true) {
  mp.FS.mkdirTree(dst);
  for (const entry of fs.readdirSync(src, { withFileTypes: true })) {
    const from = path.join(src, entry.name);
    const to = `${dst}/${entry.name}`;
    if (entry.isDirectory()) {
      if (entry.name !== "node_modules") copyTree(mp, from, to, filter);
    } else if (filter(entry.name)) {
      mp.FS.writeFile(to, fs.readFileSync(from));
    }
  }
}

async function boot(heapsize, lines) {
  const mp = await loadMicroPython({
    heapsize,
    stdout: (line) => {
      console.log(line);
      lines.push(line);
    },
    stderr: (line) => console.error(line),
  });
  const py = (name) => name.endsWith(".py");
  mp.FS.mkdirTree("/lib");
  for (const name of fs.readdirSync(micropythonDir).filter(py)) {
    mp.FS.writeFile(`/lib/${name}`, fs.readFileSync(path.join(micropythonDir, name)));
  }
  copyTree(mp, path.join(micropythonDir, "examples"), "/examples", py);
  copyTree(mp, here, "/tests", py);
  return mp;
}

function run(mp, code) {
  try {
    mp.runPython(code);
    return true;
  } catch (error) {
    // A PythonError's message is the traceback; anything else is a runner bug.
    console.error(error.name === "PythonError" ? error.message : String(error));
    return false;
  }
}

let passed = 0;
let failed = 0;

// 1. The suite.
{
  const lines = [];
  const mp = await boot(4 * 1024 * 1024, lines);
  copyTree(mp, path.join(repo, "testdata"), "/testdata");
  const shared = path.resolve(repo, "../shared/vectors");
  if (fs.existsSync(shared)) copyTree(mp, shared, "/shared/vectors");
  // CI always provides ../shared: there, a missing copy must fail, not skip.
  else if (process.env.CI) throw new Error(`${shared} is missing in CI`);
  // What the CLI prints for testdata/chain/leaf.pem (scripts/test-micropython makes it).
  const snippet = process.env.CERTPIN_CLI_SNIPPET;
  if (!snippet) throw new Error("CERTPIN_CLI_SNIPPET is not set: run scripts/test-micropython");
  mp.FS.writeFile("/snippet.py", fs.readFileSync(snippet));
  const ok = run(
    mp,
    [
      "import sys",
      "sys.path.extend(['/tests', '/examples'])",
      "import harness, test_vectors, test_callback",
      "harness.run([test_vectors, test_callback])",
    ].join("\n"),
  );
  const summary = lines.length ? lines[lines.length - 1].match(/^(\d+) passed, (\d+) failed$/) : null;
  if (ok && summary) {
    passed += Number(summary[1]);
    failed += Number(summary[2]);
  } else {
    console.error("the MicroPython test suite did not complete");
    failed += 1;
  }
}

// 2. The heap a device needs: the WebAssembly port grows its heap on demand, so the
// 100 KB budget of a small board is checked by measurement. With the collector off,
// gc.mem_alloc() only grows, so its final value bounds the peak from above.
{
  const lines = [];
  const mp = await boot(100 * 1024, lines);
  mp.FS.writeFile("/leaf.der", fs.readFileSync(path.join(repo, "testdata/chain/leaf.der")));
  const rows = fs.readFileSync(path.join(repo, "testdata/pins.tsv"), "utf8").split("\n");
  const pin = rows.find((r) => r.startsWith("chain/leaf.der\t")).split("\t")[4];
  const ok = run(
    mp,
    [
      "import gc, sys",
      "sys.path.append('/tests')",
      "import fake_tls",
      "leaf = open('/leaf.der', 'rb').read()",
      "gc.collect(); start = gc.mem_alloc()",
      "import certpin",
      "gc.collect(); loaded = gc.mem_alloc() - start",
      "fake_tls.install(); fake_tls.Server.chain = [leaf]",
      "gc.collect(); gc.disable(); before = gc.mem_alloc()",
      `s = certpin.Pinner(['sha256//${pin}']).wrap(fake_tls.RawSocket(), 'localhost')`,
      "peak = gc.mem_alloc() - before",
      "gc.enable()",
      "assert isinstance(s, fake_tls.TLSSocket)",
      "print('info: certpin.py + certpin_core.py compiled from source hold %d bytes of heap; a pinned handshake (Pinner, context, callback) allocates at most %d bytes' % (loaded, peak))",
      "assert loaded + peak < 100 * 1024 // 2, 'over half of a 100 KB heap'",
      "print('heap budget ok')",
    ].join("\n"),
  );
  if (ok && lines.includes("heap budget ok")) passed += 1;
  else {
    console.error("FAIL: certpin needs more than half of a 100 KB heap");
    failed += 1;
  }
}

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
