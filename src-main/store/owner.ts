/** Which process owns a running Run or Study, so start-up only interrupts what is really orphaned. */

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
