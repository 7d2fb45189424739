/** Hands text to the browser as a file to save (an object URL clicked through a temporary link). */
export function downloadText(text: string, filename: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }))
  const link = Object.assign(document.createElement('a'), { href: url, download: filename })
  link.click()
  // The click starts the download synchronously; the URL can go a moment later.
  setTimeout(() => URL.revokeObjectURL(url), 1000)
}
