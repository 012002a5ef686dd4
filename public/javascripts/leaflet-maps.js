/* global document, window */
// What both maps need from Leaflet: loading it with its styles once, the council's area, tiles that
// give up quietly when they cannot load, and turning every block of one kind on the page into a map
// while leaving any the script cannot handle hidden, so the page stays as it is without JavaScript.

const LEAFLET_SCRIPT = '/leaflet/leaflet-src.esm.js'
const LEAFLET_STYLES = '/leaflet/leaflet.css'
export const CLOSE_ZOOM = 17
export const MAX_ZOOM = 19

// One stylesheet for every map on the page. Waiting for it resolves whether or not it loads: a map
// without Leaflet's styles looks wrong but still works, and we would rather show it than nothing.
function addStyles() {
  if (document.querySelector(`link[href="${LEAFLET_STYLES}"]`)) return { loaded: Promise.resolve() }
  const link = document.createElement('link')
  link.rel = 'stylesheet'
  link.href = LEAFLET_STYLES
  const loaded = new Promise((resolve) => {
    link.addEventListener('load', resolve, { once: true })
    link.addEventListener('error', resolve, { once: true })
  })
  document.head.append(link)
  return { link, loaded }
}

function numbers(text) {
  if (!text) return undefined
  const values = text.split(',').map((part) => Number(part.trim()))
  return values.every(Number.isFinite) ? values : undefined
}

// data-bounds is "west,south,east,north"; Leaflet wants [[south, west], [north, east]].
export function areaBounds(L, text) {
  const values = numbers(text)
  if (!values || values.length !== 4) return undefined
  const [west, south, east, north] = values
  if (west >= east || south >= north || south < -90 || north > 90) return undefined
  return L.latLngBounds([south, west], [north, east])
}

// Six decimal places is about 10 cm: more than enough, and it keeps the submitted values short.
export function rounded(value) {
  return String(Number(value.toFixed(6)))
}

// The attribution is plain text from the server; Leaflet would treat it as HTML.
function asHtml(text) {
  const holder = document.createElement('span')
  holder.textContent = text
  return holder.innerHTML
}

export function addTiles(L, map, data) {
  if (!data.tileUrl) return
  const tiles = L.tileLayer(data.tileUrl, { attribution: asHtml(data.attribution || ''), maxZoom: MAX_ZOOM })
  let anyLoaded = false
  tiles.on('tileload', () => {
    anyLoaded = true
  })
  // When not one of the first tiles arrives (no network, the tile server down) stop asking for more:
  // the map still works on its plain background.
  // (Removed after Leaflet has finished handling the event, which it does not expect.)
  tiles.once('load', () => {
    if (!anyLoaded) window.setTimeout(() => map.removeLayer(tiles), 0)
  })
  tiles.addTo(map)
}

/** Makes a map of every block with this data-module; one that cannot be made stays hidden. */
export async function enhanceAll(module, enhance) {
  const containers = document.querySelectorAll(`[data-module="${module}"]`)
  if (containers.length === 0) return
  const styles = addStyles()
  let L
  try {
    ;[L] = await Promise.all([import(LEAFLET_SCRIPT), styles.loaded])
  } catch {
    // Leave the page as it came: the blocks stay hidden and the page without them is complete.
    styles.link?.remove()
    return
  }
  for (const container of containers) {
    try {
      enhance(L, container)
    } catch {
      container.hidden = true
    }
  }
}
