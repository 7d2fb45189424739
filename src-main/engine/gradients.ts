/**
 * tf.variableGrads with the memory of a framework that frees as it goes. tfjs's own backward pass
 * keeps every tensor the tape saved and the gradient of every intermediate tensor until the whole
 * pass ends, so its peak is all activations plus all their gradients (compact-resnet, 32 images of
 * 64 px: 1.9 GB of wasm heap, which never shrinks). This walks the same tape, in the same order,
 * with the same gradient functions — the numbers are identical — but disposes a node's saved
 * tensors and its outputs' gradients once that node has been passed.
 */
import type * as tfjs from '@tensorflow/tfjs'

type Tf = typeof tfjs
type Tensor = tfjs.Tensor

/** A recorded kernel call, as tfjs-core's tape keeps it. */
interface TapeNode {
  id: number
  kernelName: string
  inputs: Record<string, Tensor>
  outputs: Tensor[]
  gradient?: (dys: (Tensor | null)[]) => Record<string, () => Tensor>
  saved?: Tensor[]
}

/** The parts of tfjs-core's Engine this uses (stable since tfjs 1.x; not in its public types). */
interface EngineInternals {
  state: { gradientDepth: number; activeTape: TapeNode[] | null }
  startTape(): void
  endTape(): void
  scopedRun<T>(start: () => void, end: () => void, f: () => T): T
  tidy<T>(name: string, f: () => T): T
  tidy<T>(f: () => T): T
}

/** `f`'s value and its gradient for each trainable variable of `variables` (by name), freeing as backprop passes. */
export function variableGrads(tf: Tf, f: () => tfjs.Scalar, variables: tfjs.Variable[]): { value: tfjs.Scalar; grads: tfjs.NamedTensorMap } {
  const engine = tf.engine() as unknown as EngineInternals
  // Inside another gradient (a higher-order one) the tape must stay whole: tfjs's own then.
  if (engine.state.gradientDepth > 0) return tf.variableGrads(f, variables)
  const xs = variables.filter((v) => v.trainable)
  const y = engine.scopedRun(
    () => engine.startTape(),
    () => engine.endTape(),
    () => engine.tidy('forward', f)
  )
  if (y.rank !== 0) throw new Error(`variableGrads: f must return a scalar, not a rank-${y.rank} tensor`)
  const tape = engine.state.activeTape!
  const nodes = nodesFromXsToY(tape, xs, y)
  const result = engine.tidy('backward', () => {
    const wanted = new Set(xs.map((x) => x.id))
    const grads = new Map<number, Tensor>([[y.id, tf.onesLike(y)]])
    // How many entries of `grads` hold each tensor: a gradient function may hand back its dy itself.
    const holders = new Map<Tensor, number>([[grads.get(y.id)!, 1]])
    const hold = (t: Tensor, by: number) => holders.set(t, (holders.get(t) ?? 0) + by)
    for (let i = nodes.length - 1; i >= 0; i--) {
      const node = nodes[i]
      if (!node.gradient) throw new Error(`Cannot compute gradient: gradient function not found for ${node.kernelName}.`)
      const dys = node.outputs.map((o) => grads.get(o.id) ?? null)
      const inputGradients = node.gradient(dys)
      for (const name in node.inputs) {
        if (!(name in inputGradients)) throw new Error(`Cannot backprop through input ${name}. Available gradients found: ${Object.keys(inputGradients)}.`)
        const dx = engine.tidy(() => inputGradients[name]())
        const x = node.inputs[name]
        if (dx.dtype !== 'float32') throw new Error(`Error in gradient for op ${node.kernelName}. The gradient of input ${name} must have 'float32' dtype, but has '${dx.dtype}'`)
        if (!tf.util.arraysEqual(dx.shape, x.shape))
          throw new Error(`Error in gradient for op ${node.kernelName}. The gradient of input '${name}' has shape '${dx.shape}', which does not match the shape of the input '${x.shape}'`)
        const current = grads.get(x.id)
        if (!current) {
          grads.set(x.id, dx)
          hold(dx, 1)
        } else {
          const sum = tf.add(current, dx)
          grads.set(x.id, sum)
          hold(sum, 1)
          release(current)
          if (!holders.get(dx)) dx.dispose()
        }
      }
      // Nothing later in the walk (earlier in the tape) needs this node's outputs' gradients or its saved tensors.
      for (const o of node.outputs) {
        const g = grads.get(o.id)
        if (!g || wanted.has(o.id)) continue
        grads.delete(o.id)
        release(g)
      }
      for (const t of node.saved ?? []) if (!holders.get(t)) t.dispose()
    }
    function release(t: Tensor): void {
      hold(t, -1)
      if (!holders.get(t)) t.dispose()
    }
    return xs.map((x) => grads.get(x.id) ?? null)
  })
  for (const node of tape) for (const t of node.saved ?? []) t.dispose()
  engine.state.activeTape = null
  if (!result.some((g) => g)) throw new Error('Cannot find a connection between any variable and the result of the loss function y=f(x).')
  const named: tfjs.NamedTensorMap = {}
  xs.forEach((x, i) => {
    if (result[i]) named[x.name] = result[i]!
  })
  return { value: y, grads: named }
}

/** The nodes of `tape` on a path from one of `xs` to `y`, in tape order, their inputs pruned to those that come from `xs` (as tfjs-core's getFilteredNodesXToY). */
function nodesFromXsToY(tape: TapeNode[], xs: Tensor[], y: Tensor): TapeNode[] {
  const fromX = new Set(xs.map((x) => x.id))
  const nodesFromX = new Set<number>()
  for (const node of tape) {
    if (Object.values(node.inputs).some((t) => fromX.has(t.id))) {
      for (const o of node.outputs) fromX.add(o.id)
      nodesFromX.add(node.id)
    }
  }
  const toY = new Set([y.id])
  const nodesToY = new Set<number>()
  for (let i = tape.length - 1; i >= 0; i--) {
    const node = tape[i]
    if (node.outputs.some((o) => toY.has(o.id))) {
      for (const t of Object.values(node.inputs)) toY.add(t.id)
      nodesToY.add(node.id)
    }
  }
  const kept: TapeNode[] = []
  for (const node of tape) {
    if (!nodesFromX.has(node.id) || !nodesToY.has(node.id)) continue
    const inputs: Record<string, Tensor> = {}
    for (const name in node.inputs) if (fromX.has(node.inputs[name].id)) inputs[name] = node.inputs[name]
    kept.push({ ...node, inputs, outputs: node.outputs })
  }
  return kept
}
