/** The database: migrations, WAL, foreign keys, and the datasets repository. */
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { resourcesDir } from '../../../src-main/paths'
import { openDatabase } from '../../../src-main/store/db'
import { DatasetRepository } from '../../../src-main/store/datasets'
import { LabelRepository } from '../../../src-main/store/labels'
import { StudyRepository } from '../../../src-main/store/studies'
import { tempDir } from '../../helpers/images'

let dir: ReturnType<typeof tempDir>
beforeEach(() => (dir = tempDir()))
afterEach(() => dir.cleanup())

/** A folder of the studio's migrations numbered before `version` ('009'): the schema of an older studio. */
function migrationsBefore(version: string): string {
  const before = join(dir.path, `before-${version}`)
  mkdirSync(before)
  for (const name of readdirSync(join(resourcesDir(), 'migrations')).filter((n) => n < version)) copyFileSync(join(resourcesDir(), 'migrations', name), join(before, name))
  return before
}

describe('openDatabase', () => {
  it('creates every table of the first schema and records the migration once', () => {
    const file = join(dir.path, 'sub', 'osprey.db')
    const db = openDatabase(file)
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all()
    expect(tables).toEqual(expect.arrayContaining(['artifacts', 'dataset_files', 'datasets', 'epochs', 'iterations', 'migrations', 'runs', 'studies', 'tags', 'trials', 'auto_searches']))
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1)
    db.close()
    const again = openDatabase(file)
    expect(again.prepare('SELECT version, name FROM migrations').all()).toEqual([
      { version: 1, name: '001_initial.sql' },
      { version: 2, name: '002_iteration_speed.sql' },
      { version: 3, name: '003_history.sql' },
      { version: 4, name: '004_trial_errors.sql' },
      { version: 5, name: '005_owner_process.sql' },
      { version: 6, name: '006_owner_start.sql' },
      { version: 7, name: '007_label_review.sql' },
      { version: 8, name: '008_run_worker.sql' },
      { version: 9, name: '009_study_error.sql' },
      { version: 10, name: '010_auto_searches.sql' },
      { version: 11, name: '011_objective_spelling.sql' },
      { version: 12, name: '012_pruned_trial_value.sql' }
    ])
    again.close()
  })

  it('applies new numbered migrations in order, each once', () => {
    const migrations = join(dir.path, 'migrations')
    mkdirSync(migrations)
    writeFileSync(join(migrations, '001_a.sql'), 'CREATE TABLE a (x);')
    const file = join(dir.path, 'osprey.db')
    openDatabase(file, { migrationsDir: migrations }).close()
    writeFileSync(join(migrations, '010_c.sql'), 'ALTER TABLE b ADD COLUMN z;')
    writeFileSync(join(migrations, '002_b.sql'), 'CREATE TABLE b (y);')
    const db = openDatabase(file, { migrationsDir: migrations })
    expect(db.prepare('SELECT version FROM migrations ORDER BY version').pluck().all()).toEqual([1, 2, 10])
    expect(db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all('b')).toEqual(['y', 'z'])
    db.close()
  })

  it('brings a database of the first schema up to date and keeps its rows', () => {
    const first = join(dir.path, 'first')
    mkdirSync(first)
    copyFileSync(join(resourcesDir(), 'migrations', '001_initial.sql'), join(first, '001_initial.sql'))
    const file = join(dir.path, 'osprey.db')
    const old = openDatabase(file, { migrationsDir: first })
    old.prepare("INSERT INTO runs (id, name, fingerprint, status, config_json, seed) VALUES (1, 'old', 'f', 'completed', '{}', 1)").run()
    old.prepare('INSERT INTO iterations (run_id, iteration, epoch, loss) VALUES (1, 1, 1, 0.5)').run()
    old.close()
    const db = openDatabase(file)
    expect(db.prepare('SELECT iteration, loss, images_per_second FROM iterations').all()).toEqual([{ iteration: 1, loss: 0.5, images_per_second: null }])
    db.close()
  })

  it('keeps why an older Study ended (its message moves from state_json to the error column) and what it optimized (its objective respelled)', () => {
    const file = join(dir.path, 'osprey.db')
    const old = openDatabase(file, { migrationsDir: migrationsBefore('009') })
    const add = old.prepare("INSERT INTO studies (id, name, strategy, objective, space_json, config_json, status, state_json) VALUES (?, ?, 'random', 'val_accuracy', '{}', ?, ?, ?)")
    const settings = JSON.stringify({ folder: '/data/pets', trials: 3, timeBudgetMinutes: null, parallel: 1, prune: 'none', seed: 1, training: {} })
    add.run(1, 'stopped by hand', settings, 'stopped', JSON.stringify({ message: 'Stopped by the user.' }))
    add.run(2, 'finished', settings, 'completed', JSON.stringify({ message: null }))
    old.close()
    const db = openDatabase(file)
    const studies = new StudyRepository(db)
    expect(studies.summary(1)?.error).toBe('Stopped by the user.')
    expect(studies.summary(2)?.error).toBeNull()
    // 011: the objective is spelled as the metric is everywhere else.
    expect(studies.summary(1)?.objective).toBe('valAccuracy')
    // From now on the reason is written to its own column.
    studies.setStatus(2, 'failed', 'Every Trial failed: the folder is gone.')
    expect(db.prepare('SELECT error, state_json FROM studies WHERE id = 2').get()).toEqual({ error: 'Every Trial failed: the folder is gone.', state_json: JSON.stringify({ message: null }) })
    expect(studies.summary(2)?.error).toBe('Every Trial failed: the folder is gone.')
    db.close()
  })

  it('gives a Trial pruned before 012 the value of the Epoch it was stopped at, not its best Epoch', () => {
    const file = join(dir.path, 'osprey.db')
    const old = openDatabase(file, { migrationsDir: migrationsBefore('012') })
    const study = old.prepare("INSERT INTO studies (id, name, strategy, objective, space_json, config_json, status) VALUES (?, ?, 'bayesian', ?, '{}', '{}', 'completed')")
    study.run(1, 'by loss', 'valLoss')
    study.run(2, 'by accuracy', 'valAccuracy')
    const run = old.prepare("INSERT INTO runs (id, name, fingerprint, status, config_json, seed) VALUES (?, 'trial', 'f', ?, '{}', 1)")
    const epoch = old.prepare('INSERT INTO epochs (run_id, epoch, val_loss, val_accuracy) VALUES (?, ?, ?, ?)')
    const trial = old.prepare('INSERT INTO trials (study_id, number, run_id, params_json, status, value) VALUES (?, ?, ?, ?, ?, ?)')
    // Run 1 was pruned at Epoch 3, after its best Epoch 2; run 2 completed; run 3 was pruned with no
    // finite loss at its last Epoch (it diverged), so its last finite one counts.
    const curves = [
      { id: 1, status: 'stopped', losses: [0.9, 0.2, 0.6], accuracies: [0.5, 0.9, 0.7] },
      { id: 2, status: 'completed', losses: [0.8, 0.3, 0.25], accuracies: [0.6, 0.8, 0.85] },
      { id: 3, status: 'stopped', losses: [0.7, null], accuracies: [0.6, 0.1] }
    ]
    for (const { id, status, losses, accuracies } of curves) {
      run.run(id, status)
      losses.forEach((loss, i) => epoch.run(id, i + 1, loss, accuracies[i]))
    }
    trial.run(1, 0, 1, '{}', 'pruned', 0.2)
    trial.run(1, 1, 2, '{}', 'completed', 0.25)
    trial.run(1, 2, 3, '{}', 'pruned', 0.7)
    trial.run(2, 0, 1, '{}', 'pruned', 0.9)
    old.close()
    const db = openDatabase(file)
    const studies = new StudyRepository(db)
    expect(studies.trials(1).map((t) => t.value)).toEqual([0.6, 0.25, 0.7])
    expect(studies.trials(2).map((t) => t.value)).toEqual([0.7])
    db.close()
  })

  it('leaves the database as it was when a migration fails', () => {
    const migrations = join(dir.path, 'migrations')
    mkdirSync(migrations)
    writeFileSync(join(migrations, '001_ok.sql'), 'CREATE TABLE a (x);')
    writeFileSync(join(migrations, '002_bad.sql'), 'CREATE TABLE b (y); INSERT INTO nowhere VALUES (1);')
    const file = join(dir.path, 'osprey.db')
    expect(() => openDatabase(file, { migrationsDir: migrations })).toThrow(/nowhere/)
    const db = openDatabase(file, { readonly: true })
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'b'").get()).toBeUndefined()
    expect(db.prepare('SELECT version FROM migrations').pluck().all()).toEqual([1])
    db.close()
  })
})

describe('DatasetRepository', () => {
  it('forgets a dataset together with its file manifest, and nothing else', () => {
    const db = openDatabase(join(dir.path, 'osprey.db'))
    const repo = new DatasetRepository(db)
    const a = repo.ensure('/data/a', 'a')
    const b = repo.ensure('/data/b', 'b')
    const file = { class: 'x', size: 1, mtimeMs: 1, hash: 'h', format: 'png', width: 1, height: 1, space: 'srgb', hasAlpha: false, problem: null, message: null }
    repo.writeFiles(a, [{ ...file, path: 'x/1.png' }], [])
    repo.writeFiles(b, [{ ...file, path: 'x/2.png' }], [])
    expect(repo.forget(a)).toBe(true)
    expect(repo.forget(a)).toBe(false)
    expect(repo.manifest(a).size).toBe(0)
    expect([...repo.manifest(b).keys()]).toEqual(['x/2.png'])
    db.close()
  })
})

describe('LabelRepository', () => {
  it('reads a label check saved before checks could train CNNs: the backbone it named is what judged it', () => {
    const db = openDatabase(join(dir.path, 'osprey.db'))
    const id = new DatasetRepository(db).ensure('/data/a', 'a')
    const old = { backbone: 'MobileNetV2 α 0.35', images: 2, folds: 2, seed: 1, accuracy: 1, suspects: [], leaks: [] }
    db.prepare('INSERT INTO label_checks (dataset_id, fingerprint, result_json) VALUES (?, ?, ?)').run(id, 'f', JSON.stringify(old))
    const labels = new LabelRepository(db)
    expect(labels.check(id)!.result).toEqual({ model: 'MobileNetV2 α 0.35', images: 2, folds: 2, seed: 1, accuracy: 1, suspects: [], leaks: [] })
    labels.saveCheck(id, 'g', { ...labels.check(id)!.result, model: 'the default CNN, trained from scratch' })
    expect(labels.check(id)!.result.model).toBe('the default CNN, trained from scratch')
    db.close()
  })
})
