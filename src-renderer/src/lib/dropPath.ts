/**
 * Where a dropped folder lives. Only Electron can read a dropped File's path; a browser
 * served by `osprey serve` sometimes carries it as a file:// URI or plain text instead.
 */

/** Shown when nothing in a drop says where the folder is on disk. */
export const unknownDropMessage = "This browser cannot tell the server where the dropped folder is. Type the folder's path on the machine running Osprey instead."

/** True for "/x", "C:\x", "C:/x" and "\\server\share". */
export function isAbsolutePath(text: string): boolean {
  return text.startsWith('/') || /^[A-Za-z]:[\\/]/.test(text) || text.startsWith('\\\\')
}

/** The filesystem path of a file:// URI; drops the leading slash of Windows drive paths ("/C:/x"). */
export function pathFromFileUri(uri: string): string | null {
  try {
    const path = decodeURIComponent(new URL(uri).pathname)
    return /^\/[A-Za-z]:\//.test(path) ? path.slice(1) : path
  } catch {
    return null
  }
}

/**
 * The dropped folder's path, or null when the drop does not say. Tries, in order: the first
 * File through `pathOf` (Electron), a file:// entry of text/uri-list, then text/plain that is
 * an absolute path.
 */
export function folderFromDrop(data: DataTransfer, pathOf: (file: File) => string | null): string | null {
  const file = data.files[0]
  const fromFile = file ? pathOf(file) : null
  if (fromFile) return fromFile

  // text/uri-list: one URI a line; lines starting with # are comments.
  const uris = data
    .getData('text/uri-list')
    .split(/\r?\n/)
    .map((line) => line.trim())
  const fileUri = uris.find((line) => line.startsWith('file://'))
  const fromUri = fileUri ? pathFromFileUri(fileUri) : null
  if (fromUri) return fromUri

  const text = data.getData('text/plain').trim()
  if (text && !text.includes('\n') && isAbsolutePath(text)) return text
  return null
}

/**
 * Every dropped file's path, for drops of several images ("Try it"): each File through `pathOf`
 * (Electron), else every file:// entry of text/uri-list, else each line of text/plain that is an
 * absolute path. Empty when the drop does not say.
 */
export function pathsFromDrop(data: DataTransfer, pathOf: (file: File) => string | null): string[] {
  const fromFiles = Array.from(data.files, (file) => pathOf(file)).filter((p): p is string => Boolean(p))
  if (fromFiles.length) return fromFiles
  const uris = data
    .getData('text/uri-list')
    .split(/\r?\n/)
    .map((line) => line.trim())
  const fromUris = uris
    .filter((line) => line.startsWith('file://'))
    .map(pathFromFileUri)
    .filter((p): p is string => Boolean(p))
  if (fromUris.length) return fromUris
  return data
    .getData('text/plain')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(isAbsolutePath)
}

/** Splits typed or pasted text into paths: one per line, or several on a line separated by commas before an absolute path. */
export function splitPaths(text: string): string[] {
  return text
    .split(/\r?\n|,(?=\s*(?:\/|[A-Za-z]:[\\/]|\\\\))/)
    .map((p) => p.trim())
    .filter(Boolean)
}
