/**
 * The training engine's backend ladder. 'auto' tries, in order: TensorFlow with CUDA
 * (@tensorflow/tfjs-node-gpu, only if a GPU works), TensorFlow on the CPU (@tensorflow/tfjs-node),
 * WebGPU through Dawn (the `webgpu` package, only on a hardware adapter), wasm (XNNPACK, with
 * our training kernels), then tfjs's plain-JS cpu backend. Optional packages are imported
 * dynamically, so a missing one is a skipped rung, and the reason goes to `log`.
 */
import * as tfjs from '@tensorflow/tfjs'
import { existsSync } from 'node:fs'
import type { BackendName } from '../contract'
import os from 'node:os'
import { startWasm } from './wasm/init'

/** Name of the backend actually running (the contract's one list). */
export type { BackendName }

/** The backends a user can ask for: one by name, or `auto` (the fastest that starts). */
export type BackendPreference = 'auto' | BackendName

/** The tfjs namespace in use (tfjs-node's when TensorFlow runs, which adds tf.node). */
export type Tf = typeof tfjs

/** A started backend: which one, the tfjs namespace to use, and what it runs on. */
export interface Backend {
  name: BackendName
  tf: Tf
  versions: Record<string, string>
  threads: number
  dispose(): void
}

/** Options of initBackend. */
export interface BackendOptions {
  /** CPU threads for wasm (default: the logical cores, at most 8); ignored elsewhere. */
  threads?: number
  /** Receives one line per rung skipped or chosen. */
  log?: (line: string) => void
  /** How the machine is looked at (tests climb the ladder with their own); the real ones by default. */
  probes?: Partial<BackendProbes>
}

/** What the ladder asks of the machine. */
export interface BackendProbes {
  /** Imports an optional package; rejects with code ERR_MODULE_NOT_FOUND when it is not installed. */
  load(name: string): Promise<unknown>
  /** The WebGPU adapter Dawn offers (its name, and whether it is a fallback), or null; throws why it cannot look. */
  adapter(): Promise<{ name: string; fallback: boolean } | null>
}

/** What a rung gives back when it starts. */
interface Started {
  tf: Tf
  versions: Record<string, string>
  threads: number
}

type Rung = (threads: number, probes: BackendProbes) => Promise<Started>

const LADDER: BackendName[] = ['tensorflow-gpu', 'tensorflow', 'webgpu', 'wasm', 'cpu']

/** What to do when a rung cannot start, said in an explicit-preference error. */
const REMEDY: Record<BackendName, string> = {
  'tensorflow-gpu': 'install @tensorflow/tfjs-node-gpu (npm install @tensorflow/tfjs-node-gpu) on a machine with an NVIDIA GPU, CUDA 11.2 and cuDNN 8.1, or choose "auto"',
  tensorflow: 'install @tensorflow/tfjs-node (npm install @tensorflow/tfjs-node; it downloads libtensorflow), or choose "auto"',
  webgpu: 'use a machine whose GPU has a Vulkan, Metal or D3D12 driver, or choose "auto"',
  wasm: 'reinstall @tensorflow/tfjs-backend-wasm (npm ci), or choose "cpu"',
  cpu: 'reinstall @tensorflow/tfjs (npm ci)'
}

/** Starts the preferred backend, or for 'auto' the first rung of the ladder that works. */
export async function initBackend(preference: BackendPreference, options: BackendOptions = {}): Promise<Backend> {
  const log = options.log ?? (() => {})
  const threads = Math.max(1, Math.floor(options.threads ?? Math.min(8, os.availableParallelism?.() ?? os.cpus().length)))
  const probes: BackendProbes = { load: importPackage, adapter: dawnAdapter, ...options.probes }
  const names = preference === 'auto' ? LADDER : [preference]
  if (!names.every((n) => LADDER.includes(n))) throw new Error(`unknown backend "${preference}"; use one of auto, ${LADDER.join(', ')}`)
  for (const name of names) {
    try {
      const started = await RUNGS[name](threads, probes)
      log(
        `backend: using ${name} (${Object.entries(started.versions)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')})`
      )
      return { name, ...started, dispose: () => disposeBackend(started.tf, name) }
    } catch (err) {
      const why = (err as Error).message
      if (preference !== 'auto') throw new Error(`backend "${name}" is not available: ${why}. To fix: ${REMEDY[name]}.`)
      log(`backend: skipped ${name}: ${why}`)
    }
  }
  throw new Error('no backend could start, not even cpu')
}

/** Removes the backend, which frees its memory and, for threaded wasm, ends its workers. */
function disposeBackend(tf: Tf, name: BackendName): void {
  const registered = name === 'tensorflow-gpu' ? 'tensorflow' : name
  if (tf.findBackendFactory(registered)) tf.removeBackend(registered)
}

/** The real import of a package by name. */
const importPackage = (name: string): Promise<unknown> => import(/* @vite-ignore */ name)

/** Imports an optional package, turning "not installed" into a short reason. */
async function importOptional<T>(load: BackendProbes['load'], name: string): Promise<T> {
  try {
    return (await load(name)) as T
  } catch (err) {
    const code = (err as { code?: string }).code
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') throw new Error(`${name} is not installed`)
    throw new Error(`${name} failed to load (${(err as Error).message.split('\n')[0]})`)
  }
}

/** Makes `name` the active backend or throws. */
async function activate(tf: Tf, name: string): Promise<void> {
  if (!(await tf.setBackend(name))) throw new Error(`tfjs could not start its "${name}" backend`)
}

/** The common part of every rung's versions. */
function baseVersions(tf: Tf, threads: number): Record<string, string> {
  return { tfjs: tf.version.tfjs, node: process.versions.node, threads: String(threads) }
}

const RUNGS: Record<BackendName, Rung> = {
  'tensorflow-gpu': async (_threads, probes) => {
    const tf = await importOptional<Tf & { version: { 'tfjs-node'?: string } }>(probes.load, '@tensorflow/tfjs-node-gpu')
    await activate(tf, 'tensorflow')
    const usesGpu = (tf.backend() as unknown as { isUsingGpuDevice?: boolean }).isUsingGpuDevice
    if (!usesGpu) throw new Error('@tensorflow/tfjs-node-gpu loaded but TensorFlow found no usable CUDA GPU')
    return { tf, threads: 0, versions: { ...baseVersions(tf, 0), 'tfjs-node-gpu': tf.version['tfjs-node'] ?? tf.version.tfjs } }
  },
  tensorflow: async (_threads, probes) => {
    const tf = await importOptional<Tf & { version: { 'tfjs-node'?: string } }>(probes.load, '@tensorflow/tfjs-node')
    await activate(tf, 'tensorflow')
    return { tf, threads: 0, versions: { ...baseVersions(tf, 0), 'tfjs-node': tf.version['tfjs-node'] ?? tf.version.tfjs } }
  },
  webgpu: async (_threads, probes) => {
    const found = await probes.adapter()
    if (!found) throw new Error('WebGPU (Dawn) found no adapter')
    if (found.fallback || SOFTWARE_ADAPTER.test(found.name)) throw new Error(`WebGPU found only a software adapter (${found.name})`)
    const adapter = found.name
    const { version_webgpu: version } = await importOptional<{ version_webgpu: string }>(probes.load, '@tensorflow/tfjs-backend-webgpu')
    await activate(tfjs, 'webgpu')
    return { tf: tfjs, threads: 0, versions: { ...baseVersions(tfjs, 0), 'tfjs-backend-webgpu': version, adapter } }
  },
  wasm: async (threads) => {
    const got = await startWasm(threads)
    const { version_wasm } = await import('@tensorflow/tfjs-backend-wasm')
    return { tf: tfjs, threads: got, versions: { ...baseVersions(tfjs, got), 'tfjs-backend-wasm': version_wasm } }
  },
  cpu: async () => {
    await activate(tfjs, 'cpu')
    // Its first tensor would print a banner to install tfjs-node: the ladder has tried it, and the studio names its backend itself.
    ;(tfjs.backend() as { firstUse?: boolean }).firstUse = false
    return { tf: tfjs, threads: 1, versions: { ...baseVersions(tfjs, 1), 'tfjs-backend-cpu': tfjs.version.tfjs } }
  }
}

/** Matches adapters that run on the CPU: WebGPU there is slower than wasm. */
const SOFTWARE_ADAPTER = /swiftshader|llvmpipe|lavapipe|softpipe|software|basic render|cpu/i

// Where Linux distributions put the Vulkan loader.
const VULKAN_LOADERS = ['/usr/lib/x86_64-linux-gnu/libvulkan.so.1', '/usr/lib/aarch64-linux-gnu/libvulkan.so.1', '/usr/lib64/libvulkan.so.1', '/usr/lib/libvulkan.so.1']

/** Installs navigator.gpu from the `webgpu` package (Dawn) and names its adapter. */
async function dawnAdapter(): Promise<{ name: string; fallback: boolean } | null> {
  // On Linux Dawn needs the Vulkan loader; without it, it prints a native warning and finds nothing.
  if (process.platform === 'linux' && !VULKAN_LOADERS.some((f) => existsSync(f))) throw new Error('no Vulkan loader (libvulkan.so.1) is installed')
  const { create, globals } = await importOptional<{ create(o: string[]): GpuLike; globals: object }>(importPackage, 'webgpu')
  Object.assign(globalThis, globals)
  const g = globalThis as { navigator?: { gpu?: GpuLike } }
  g.navigator ??= {}
  g.navigator.gpu ??= create([])
  const adapter = await g.navigator.gpu.requestAdapter()
  if (!adapter) return null
  const info = adapter.info ?? (await adapter.requestAdapterInfo?.()) ?? {}
  const name = [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' ') || 'unnamed adapter'
  return { name, fallback: Boolean(adapter.isFallbackAdapter) }
}

/** The slice of the WebGPU API used above. */
interface GpuLike {
  requestAdapter(): Promise<{
    isFallbackAdapter?: boolean
    info?: AdapterInfo
    requestAdapterInfo?: () => Promise<AdapterInfo>
  } | null>
}
type AdapterInfo = { vendor?: string; architecture?: string; device?: string; description?: string }
