/** What axe-core (Deque's engine) finds on a page against WCAG 2.1 A and AA and best practice. */
import AxeBuilder from '@axe-core/playwright'
import type { Page } from '@playwright/test'

/** One line per rule broken: impact, rule, and up to three places. */
export async function accessibilityViolations(page: Page): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).analyze()
  return violations.map(
    (v) =>
      `${v.impact} ${v.id}: ${v.help} (${v.nodes
        .map((n) => n.target.join(' '))
        .slice(0, 3)
        .join(' | ')})`
  )
}
