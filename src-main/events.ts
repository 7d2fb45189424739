/** The typed event bus services publish on; each transport forwards it to its renderers. */
import type { EventName, Events } from './contract'

type Listener = (event: EventName, payload: Events[EventName]) => void

/** Publish/subscribe over the contract's events; `subscribe` returns its disposer. */
export class EventBus {
  #listeners = new Set<Listener>()

  emit<E extends EventName>(event: E, payload: Events[E]): void {
    for (const listener of this.#listeners) listener(event, payload)
  }

  /** Receives the events named `event`; returns the disposer. */
  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void {
    return this.subscribe((name, payload) => {
      if (name === event) listener(payload as Events[E])
    })
  }

  /** Receives every event; returns the disposer. */
  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }
}
