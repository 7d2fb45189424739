/** Keyboard movement in a list of buttons, like a native list box. */

/** Up/Down/Home/End move focus between the `selector` buttons of the enclosing list; Tab still works too. */
export function moveFocus(event: KeyboardEvent, selector: string): void {
  const keys = ['ArrowDown', 'ArrowUp', 'Home', 'End']
  if (!keys.includes(event.key)) return
  const list = (event.currentTarget as HTMLElement).closest('ul')
  const buttons = [...(list?.querySelectorAll<HTMLButtonElement>(selector) ?? [])]
  const at = buttons.indexOf(event.currentTarget as HTMLButtonElement)
  const to = { ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: buttons.length - 1 }[event.key] ?? at
  event.preventDefault()
  buttons[Math.max(0, Math.min(buttons.length - 1, to))]?.focus()
}
