/* global AbortController, URLSearchParams, document, fetch, window */
// A map of reports. On the list of reports it shows the reports in view (or, where there are many,
// round counts of them that zoom in when chosen); on one report's page it shows where that report is.
// The server renders the block hidden and the page is complete without it: the list below the map
// is the same reports in words. So this script only adds. If Leaflet cannot be loaded, the council's
// area is missing or anything else is unexpected, it steps aside and leaves the block hidden; if a
// fetch of reports fails, the map keeps what it showed before.

import { CLOSE_ZOOM, MAX_ZOOM, areaBounds, rounded, addTiles, enhanceAll } from '/public/javascripts/leaflet-maps.js'

const CLUSTER_ZOOM_STEP = 2
const FETCH_DELAY = 250
// The server refuses views wider than 1 degree; a little less keeps rounding from tipping it over.
const WIDEST_VIEW = 0.999

function isLatitude(value) {
  return Number.isFinite(value) && Math.abs(value) <= 90
}

function isLongitude(value) {
  return Number.isFinite(value) && Math.abs(value) <= 180
}

function reportPoint(L, data) {
  if (!data.latitude || !data.longitude) return undefined
  const latitude = Number(data.latitude)
  const longitude = Number(data.longitude)
  if (!isLatitude(latitude) || !isLongitude(longitude)) return undefined
  return L.latLng(latitude, longitude)
}

function pinIcon(L) {
  return L.divIcon({ className: 'app-reports-map__pin', html: '', iconSize: [32, 32], iconAnchor: [16, 39], popupAnchor: [0, -36] })
}

// Leaflet gives a focusable marker role="button"; its name is the label, read the same by everyone.
function labelWhenShown(marker, label) {
  marker.on('add', () => {
    const icon = marker.getElement()
    if (icon && label) icon.setAttribute('aria-label', label)
  })
}

function text(value) {
  return typeof value === 'string' ? value : ''
}

// Built from nodes, never from HTML: every word in it comes from the data.
function popupContent(report) {
  const content = document.createElement('div')
  content.className = 'app-reports-map__popup'
  const service = document.createElement('p')
  service.className = 'govuk-body-s govuk-!-font-weight-bold govuk-!-margin-bottom-1'
  service.textContent = report.serviceName
  const status = document.createElement('p')
  status.className = 'govuk-body-s govuk-!-margin-bottom-1'
  status.textContent = report.statusLabel
  const link = document.createElement('a')
  link.className = 'govuk-link'
  link.href = `/reports/${encodeURIComponent(report.reference)}`
  link.textContent = `See report ${report.reference}`
  const linkLine = document.createElement('p')
  linkLine.className = 'govuk-body-s govuk-!-margin-bottom-0'
  linkLine.append(link)
  content.append(service, status, linkLine)
  return content
}

function reportMarker(L, report) {
  const latitude = Number(report?.latitude)
  const longitude = Number(report?.longitude)
  const reference = text(report?.reference)
  if (!isLatitude(latitude) || !isLongitude(longitude) || !reference) return undefined
  const details = { reference, serviceName: text(report.serviceName), statusLabel: text(report.statusLabel) }
  const label = [details.serviceName, details.statusLabel].filter(Boolean).join(': ') || reference
  const marker = L.marker([latitude, longitude], { icon: pinIcon(L), keyboard: true, title: label, alt: label, riseOnHover: true })
  labelWhenShown(marker, label)
  marker.bindPopup(() => popupContent(details))
  return marker
}

function clusterMarker(L, map, cluster) {
  const latitude = Number(cluster?.latitude)
  const longitude = Number(cluster?.longitude)
  const count = Number(cluster?.count)
  if (!isLatitude(latitude) || !isLongitude(longitude) || !Number.isInteger(count) || count < 1) return undefined
  const label = count === 1 ? '1 report' : `${count} reports`
  const digits = String(count).length
  const size = digits <= 2 ? 36 : digits === 3 ? 44 : 52
  const number = document.createElement('span')
  number.className = 'app-reports-map__cluster-count'
  number.setAttribute('aria-hidden', 'true')
  number.textContent = String(count)
  const icon = L.divIcon({ className: 'app-reports-map__cluster', html: number, iconSize: [size, size] })
  const marker = L.marker([latitude, longitude], { icon, keyboard: true, title: label, alt: label, riseOnHover: true })
  labelWhenShown(marker, label)
  // Enter on a focused marker is a click too (Leaflet's keyboard handling).
  marker.on('click', () => map.setView(marker.getLatLng(), Math.min(map.getZoom() + CLUSTER_ZOOM_STEP, map.getMaxZoom())))
  return marker
}

function layerFor(L, map, answer) {
  if (answer?.kind === 'reports' && Array.isArray(answer.reports)) {
    return L.layerGroup(answer.reports.map((report) => reportMarker(L, report)).filter(Boolean))
  }
  if (answer?.kind === 'clusters' && Array.isArray(answer.clusters)) {
    return L.layerGroup(answer.clusters.map((cluster) => clusterMarker(L, map, cluster)).filter(Boolean))
  }
  return undefined
}

// The view to ask about: what is on screen, within the council's (padded) area, and at most the
// widest view the server answers, around the middle of what is left.
function viewBox(map, area) {
  const view = map.getBounds()
  let west = Math.max(view.getWest(), area.getWest(), -180)
  let east = Math.min(view.getEast(), area.getEast(), 180)
  let south = Math.max(view.getSouth(), area.getSouth(), -90)
  let north = Math.min(view.getNorth(), area.getNorth(), 90)
  if (!(west < east) || !(south < north)) return undefined
  if (east - west > WIDEST_VIEW) {
    const middle = (west + east) / 2
    west = middle - WIDEST_VIEW / 2
    east = middle + WIDEST_VIEW / 2
  }
  if (north - south > WIDEST_VIEW) {
    const middle = (south + north) / 2
    south = middle - WIDEST_VIEW / 2
    north = middle + WIDEST_VIEW / 2
  }
  return { west: rounded(west), south: rounded(south), east: rounded(east), north: rounded(north) }
}

function addressFor(dataUrl, box) {
  const mark = dataUrl.indexOf('?')
  const path = mark === -1 ? dataUrl : dataUrl.slice(0, mark)
  const params = new URLSearchParams(mark === -1 ? '' : dataUrl.slice(mark + 1))
  for (const side of ['west', 'south', 'east', 'north']) params.set(side, box[side])
  return `${path}?${params.toString()}`
}

function showReports(L, map, dataUrl, area) {
  let shown
  let pending
  let timer

  async function refresh() {
    const box = viewBox(map, area)
    if (!box) return
    pending?.abort()
    const controller = new AbortController()
    pending = controller
    let answer
    try {
      const response = await fetch(addressFor(dataUrl, box), { headers: { accept: 'application/json' }, signal: controller.signal })
      if (!response.ok) return
      answer = await response.json()
    } catch {
      // Offline, refused or replaced by a newer view: keep what the map shows.
      return
    } finally {
      if (pending === controller) pending = undefined
    }
    if (controller.signal.aborted) return
    const layer = layerFor(L, map, answer)
    if (!layer) return
    if (shown) map.removeLayer(shown)
    shown = layer.addTo(map)
  }

  function later() {
    window.clearTimeout(timer)
    timer = window.setTimeout(() => {
      refresh().catch(() => {})
    }, FETCH_DELAY)
  }

  map.on('moveend', later)
  map.whenReady(later)
}

function enhance(L, container) {
  const data = container.dataset
  const canvas = container.querySelector('.app-reports-map__canvas')
  const bounds = areaBounds(L, data.bounds)
  const point = reportPoint(L, data)
  if (!canvas || !bounds || (!data.url && !point)) return

  container.hidden = false
  let map
  try {
    map = L.map(canvas, {
      maxBounds: bounds.pad(0.2),
      maxBoundsViscosity: 1,
      maxZoom: MAX_ZOOM,
      zoomControl: true,
    })
    map.fitBounds(bounds)
    map.setMinZoom(Math.max(map.getZoom() - 1, 0))
  } catch {
    map?.remove()
    container.hidden = true
    return
  }
  if (!canvas.getAttribute('role')) canvas.setAttribute('role', 'region')
  addTiles(L, map, data)

  if (data.url) {
    showReports(L, map, data.url, map.options.maxBounds)
    return
  }

  // One report's page: where it is, and nothing to choose.
  map.setView(point, CLOSE_ZOOM)
  const pin = L.marker(point, { icon: pinIcon(L), interactive: false, keyboard: false })
  pin.on('add', () => pin.getElement()?.setAttribute('aria-hidden', 'true'))
  pin.addTo(map)
}

enhanceAll('app-reports-map', enhance)
