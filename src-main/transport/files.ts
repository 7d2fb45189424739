/**
 * The file routes of `osprey serve`, for a browser that cannot hand the studio a path (a tab
 * reached over a tunnel): uploads into the data folder and the exported model as a zip. Behind the
 * same token as the API socket (the page sends it as `Authorization: Bearer`, never a cookie) and
 * the same origin check; answers are JSON or the file, errors plain text with a 4xx.
 *
 *   POST /api/uploads/image?name=photo.jpg           body: the image     → { path }
 *   POST /api/uploads/datasets?name=birds.zip        body: a zip         → { path, files }
 *   POST /api/uploads/datasets?name=birds&folder=1   no body             → { upload, path }
 *   POST /api/uploads/datasets/<upload>?path=a/1.jpg body: one file      → { stored }
 *   GET  /api/downloads/models/<run id>                                   → the model as a zip
 */
import { randomBytes } from 'node:crypto'
import { rm } from 'node:fs/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { join } from 'node:path'
import { toCommandError } from '../errors'
import type { Services } from '../services'
import { extractZip, LIMITS, newDatasetFolder, receive, receiveFolderFile, receiveImage, uploadDirs } from '../uploads/files'

/** Answers one request under /api/ other than the socket; `send` writes plain-text refusals. */
export type FileRoutes = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>

/** The routes over `services`; folders being uploaded are remembered for this process only. */
export function fileRoutes(services: Pick<Services, 'info' | 'runModels'>, refuse: (res: ServerResponse, status: number, message: string) => void): FileRoutes {
  const dataDir = services.info.dataDir
  // A folder upload writes only into a folder this process created for it, named by a random id.
  const uploads = new Map<string, string>()

  return async (req, res, url) => {
    const parts = url.pathname.split('/').filter(Boolean) // ['api', 'uploads', …]
    const name = url.searchParams.get('name') ?? ''
    try {
      if (parts[1] === 'downloads' && parts[2] === 'models' && parts.length === 4) {
        if (req.method !== 'GET') return refuse(res, 405, 'Method not allowed: GET the model.')
        const id = Number(parts[3])
        if (!Number.isInteger(id) || id <= 0) return refuse(res, 404, 'No such Run.')
        const { filename, bytes } = await services.runModels.modelZip(id)
        res.writeHead(200, {
          'Content-Type': 'application/zip',
          'Content-Length': bytes.length,
          'Content-Disposition': `attachment; filename="${filename}"`,
          'Cache-Control': 'no-store',
          'X-Content-Type-Options': 'nosniff'
        })
        return void res.end(bytes)
      }
      if (parts[1] !== 'uploads') return refuse(res, 404, 'Not found.')
      if (req.method !== 'POST') return refuse(res, 405, 'Method not allowed: POST the file.')
      if (parts[2] === 'image' && parts.length === 3) return json(res, { path: await receiveImage(dataDir, name, req) })
      if (parts[2] === 'datasets' && parts.length === 3) {
        const folder = await newDatasetFolder(dataDir, name)
        if (url.searchParams.get('folder') === '1') {
          const upload = randomBytes(12).toString('hex')
          uploads.set(upload, folder)
          return json(res, { upload, path: folder })
        }
        const zip = join(uploadDirs(dataDir).datasets, `.${randomBytes(8).toString('hex')}.zip.partial`)
        try {
          await receive(req, zip, LIMITS.zip)
          return json(res, { path: folder, ...(await extractZip(zip, folder)) })
        } catch (e) {
          await rm(folder, { recursive: true, force: true })
          throw e
        } finally {
          await rm(zip, { force: true })
        }
      }
      if (parts[2] === 'datasets' && parts.length === 4) {
        const folder = uploads.get(parts[3])
        if (!folder) return refuse(res, 404, 'No such upload: start the folder upload again.')
        return json(res, { stored: (await receiveFolderFile(folder, url.searchParams.get('path') ?? '', req)) !== null })
      }
      return refuse(res, 404, 'Not found.')
    } catch (e) {
      const error = toCommandError(e)
      // The body may still be arriving: the connection closes after the answer rather than reading it all.
      res.setHeader('Connection', 'close')
      refuse(res, error.code === 'not-found' ? 404 : error.code === 'internal' ? 500 : 400, error.message)
    }
  }
}

function json(res: ServerResponse, value: object): void {
  const body = JSON.stringify(value)
  res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' })
  res.end(body)
}
