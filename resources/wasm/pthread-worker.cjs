// The pthread worker of @tensorflow/tfjs-backend-wasm's threaded module, run from the app's own
// files. tfjs ships this script only as a string (wasmWorkerContents) meant for a blob: URL, which
// Node's Worker refuses; evaluating the string here, rather than writing it to a file in the shared
// temp folder, leaves no file that another user could plant or replace.
'use strict'
const { dirname, join } = require('node:path')
const { runInThisContext } = require('node:vm')

const pkg = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'))
const { wasmWorkerContents } = require(join(pkg, 'wasm-out/tfjs-backend-wasm-threaded-simd.worker.js'))
// The string came through a JS template literal, which turned the script's "\n" escapes into real
// newlines inside string literals; escape them again, as tfjs does before making its blob.
const source = wasmWorkerContents.replace(/\n/g, '\\n')
// As a CommonJS module would run it: the script uses require and __filename.
const run = runInThisContext(`(function (require, module, exports, __filename, __dirname) {${source}\n})`, { filename: 'tfjs-backend-wasm-threaded-simd.worker.js' })
run(require, module, exports, __filename, __dirname)
