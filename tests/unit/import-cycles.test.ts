/**
 * No module of the main process or of the renderer's scripts imports itself round a circle at
 * run time: in a circle one side sees the other half-loaded (a class still undefined), and which
 * side depends on which file happened to load first. Type-only imports and lazy `import()` are
 * free to circle: they load nothing.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, relative, resolve } from 'node:path'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

const repo = resolve(import.meta.dirname, '../..')

function sources(folder: string): string[] {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts'))
    .map((e) => join(e.parentPath, e.name))
}

/** The files `file` loads when it runs: its value imports and re-exports of relative paths. */
function runtimeImports(file: string, known: Set<string>): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest)
  const found: string[] = []
  for (const node of source.statements) {
    let spec: ts.Expression | undefined
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause
      if (clause?.isTypeOnly) continue
      const bindings = clause?.namedBindings
      const onlyTypes = clause && !clause.name && bindings && ts.isNamedImports(bindings) && bindings.elements.length > 0 && bindings.elements.every((e) => e.isTypeOnly)
      if (onlyTypes) continue
      spec = node.moduleSpecifier
    } else if (ts.isExportDeclaration(node) && !node.isTypeOnly) {
      spec = node.moduleSpecifier
    }
    if (!spec || !ts.isStringLiteral(spec) || !spec.text.startsWith('.')) continue
    const base = resolve(dirname(file), spec.text.replace(/\.js$/, ''))
    const target = [`${base}.ts`, join(base, 'index.ts'), base].find((p) => known.has(p))
    if (target) found.push(target)
  }
  return found
}

/** Every circle of run-time imports among `files`, each as the files round it. */
function circles(files: string[]): string[][] {
  const known = new Set(files)
  const graph = new Map(files.map((f) => [f, runtimeImports(f, known)]))
  const found: string[][] = []
  const state = new Map<string, 'open' | 'done'>()
  const path: string[] = []
  const visit = (file: string): void => {
    state.set(file, 'open')
    path.push(file)
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'open') found.push(path.slice(path.indexOf(next)).map((f) => relative(repo, f)))
      else if (!state.has(next)) visit(next)
    }
    path.pop()
    state.set(file, 'done')
  }
  for (const file of files) if (!state.has(file)) visit(file)
  return found
}

describe('imports', () => {
  it('form no circle in the main process, the preload or the renderer\'s scripts', () => {
    for (const folder of ['src-main', 'src-preload', 'src-renderer/src']) expect(circles(sources(join(repo, folder))), folder).toEqual([])
  })

  it('sees a circle of value imports, and lets type-only ones circle', () => {
    const dir = mkdtempSync(join(tmpdir(), 'osprey-cycles-'))
    try {
      const file = (name: string, text: string) => (writeFileSync(join(dir, name), text), join(dir, name))
      const a = file('a.ts', "import { b } from './b'\nexport const a = () => b\n")
      const b = file('b.ts', "import { a } from './a'\nexport const b = () => a\n")
      const c = file('c.ts', "import type { D } from './d'\nexport type C = D\n")
      const d = file('d.ts', "import { type C } from './c'\nexport type D = C | 1\n")
      expect(circles([a, b]).map((circle) => circle.map((f) => f.split('/').pop()))).toEqual([['a.ts', 'b.ts']])
      expect(circles([c, d])).toEqual([])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
