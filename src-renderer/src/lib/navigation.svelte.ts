/** Which screen is showing, remembered across restarts. */

/** Every screen of the app, in nav order. Add Tune / History here with their component in App.svelte. */
export const screens = [
  { id: 'datasets', label: 'Datasets' },
  { id: 'train', label: 'Train' },
  { id: 'tune', label: 'Tune' },
  { id: 'history', label: 'History' }
] as const

/** The id of a screen, e.g. 'datasets'. */
export type ScreenId = (typeof screens)[number]['id']

const storageKey = 'osprey.screen'

function isScreen(id: string | null): id is ScreenId {
  return screens.some((s) => s.id === id)
}

/** The current screen; the last one chosen is restored on start. */
export class Navigation {
  #current = $state<ScreenId>(Navigation.#restore())

  /** The screen showing now. */
  get current(): ScreenId {
    return this.#current
  }

  /** Show a screen and remember it. */
  go(id: ScreenId): void {
    this.#current = id
    try {
      localStorage.setItem(storageKey, id)
    } catch {
      // Storage can be unavailable (private windows, quotas); remembering is only a convenience.
    }
  }

  static #restore(): ScreenId {
    try {
      const saved = localStorage.getItem(storageKey)
      if (isScreen(saved)) return saved
    } catch {
      // See go().
    }
    return screens[0].id
  }
}
