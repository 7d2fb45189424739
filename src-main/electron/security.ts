/** Locks the desktop app's web side down: permissions, devices, webviews, navigation and new windows. */
import { app, session } from 'electron'
import { allowPermission, type AppPage } from './policy'

/** Applies the policy of ./policy to the default session and to every web contents created. */
export function secureWebContents(page: AppPage): void {
  const ses = session.defaultSession
  ses.setPermissionRequestHandler((contents, permission, callback, details) => callback(allowPermission(permission, details.requestingUrl ?? contents.getURL(), page)))
  ses.setPermissionCheckHandler((contents, permission, _origin, details) => allowPermission(permission, details.requestingUrl ?? contents?.getURL(), page))
  ses.setDevicePermissionHandler(() => false) // no HID, serial or USB device, for any page
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-attach-webview', (event) => event.preventDefault())
    contents.on('will-navigate', (event) => event.preventDefault())
    contents.setWindowOpenHandler(() => ({ action: 'deny' }))
  })
}
