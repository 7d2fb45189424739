/**
 * Which process owns a running Run or Study, so start-up only interrupts what is really orphaned.
 * A pid alone is not enough: after a reboot (or long enough) another process may hold it, and the
 * Run would stay "running" forever. So a claim records the owner's start time too, and an owner
 * counts as alive only while a process with that pid *and* that start time exists.
 */
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'

/** The process that claims a Run or Study: its pid and when it started (null where unknown). */
export interface Owner {
  pid: number
  started: string | null
}

let self: Owner | undefined

/** This process, as it records itself when it claims a Run or Study. */
export function currentOwner(): Owner {
  self ??= { pid: process.pid, started: processStart(process.pid) }
  return self
}

/**
 * When process `pid` started, as the system tells it, or null (no such process, or no way to
 * ask). Linux: the boot id and the start time in clock ticks since boot (/proc/<pid>/stat, field
 * 22), exact and unique across reboots. Other Unixes: `ps -o lstart=`. Windows: unknown (the pid alone is used).
 */
export function processStart(pid: number, platform: NodeJS.Platform = process.platform): string | null {
  try {
    if (platform === 'linux') {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
      // The command name (field 2) may hold spaces and parentheses: count fields after its last ')'.
      const ticks = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]
      const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()
      return ticks ? `${boot}/${ticks}` : null
    }
    if (platform === 'win32') return null
    const ps = spawnSync('ps', ['-o', 'lstart=', '-p', String(pid)], { encoding: 'utf8', timeout: 5000 })
    return ps.status === 0 && ps.stdout.trim() ? ps.stdout.trim() : null
  } catch {
    return null
  }
}

/** True when process `pid` still exists (EPERM: it exists but belongs to another user). */
export function processAlive(pid: number | null): boolean {
  if (!pid || pid === process.pid) return false // this process has only just started: nothing of it runs yet
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * True while the owner recorded as (`pid`, `started`) still runs. A claim without a start time
 * (an older version, or Windows) falls back to the pid; a start time that cannot be read now
 * counts as alive, so a live Run is never marked interrupted by mistake.
 */
export function ownerAlive(pid: number | null, started: string | null): boolean {
  if (!processAlive(pid)) return false
  if (started === null) return true
  const now = processStart(pid!)
  return now === null || now === started
}
