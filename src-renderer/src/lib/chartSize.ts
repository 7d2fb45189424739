/** Keeping a uPlot chart as wide as the element that holds it. */
import type uPlot from 'uplot'

/** Pixels for every chart's y axis (ticks, their labels and the axis title): the same everywhere, so stacked charts' plots line up. */
export const Y_AXIS_SIZE = 64

/** Resizes `chart` whenever `host` changes width; returns the disposer. */
export function fitWidth(host: HTMLElement, chart: uPlot, height: number): () => void {
  let width = host.clientWidth
  const observer = new ResizeObserver(() => {
    if (host.clientWidth === width || host.clientWidth === 0) return
    width = host.clientWidth
    chart.setSize({ width, height })
  })
  observer.observe(host)
  return () => observer.disconnect()
}
