/** The memory of this process's child processes (a training worker), read from Linux's /proc. */
import { readdirSync, readFileSync } from 'node:fs'

/** Child processes of this process, with their peak (VmHWM) and current (VmRSS) resident set in bytes. */
export function children(): { pid: number; hwm: number; rss: number }[] {
  const found: { pid: number; hwm: number; rss: number }[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      if (ppid !== process.pid) continue
      const status = readFileSync(`/proc/${entry}/status`, 'utf8')
      const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) * 1024
      found.push({ pid: Number(entry), hwm: kb('VmHWM'), rss: kb('VmRSS') })
    } catch {
      // the process ended between listing and reading
    }
  }
  return found
}
