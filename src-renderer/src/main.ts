import { mount } from 'svelte'
import App from './App.svelte'
import AccessNeeded from './components/AccessNeeded.svelte'
import { api } from './lib/api'
import './app.css'

const target = document.getElementById('app')!

// In a browser the page shell is public and carries no data: show the studio only once the API
// accepts this tab's token, and otherwise say how to get in.
if (window.osprey) mount(App, { target })
else {
  api.invoke('app.info', {}).then(
    () => mount(App, { target }),
    (e: Error) => mount(AccessNeeded, { target, props: { message: e.message } })
  )
  // Pasting the printed URL over this one changes only the fragment, which loads nothing: start again with the token.
  window.addEventListener('hashchange', () => {
    if (location.hash.includes('token=')) location.reload()
  })
}
