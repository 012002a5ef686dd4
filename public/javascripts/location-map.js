/* global document, navigator, window */
// Lets a resident mark where a problem is on a map instead of searching for a street. The server
// renders the map block hidden, next to a search that works without JavaScript, so this script only
// adds: it loads Leaflet, shows the block, and fills the form's two hidden fields from a marker. If
// Leaflet cannot be loaded, the council's area is missing or anything else is unexpected, the script
// steps aside and leaves the block hidden, so the page is exactly as it would be without JavaScript.

import { CLOSE_ZOOM, MAX_ZOOM, areaBounds, rounded, addTiles, enhanceAll } from '/public/javascripts/leaflet-maps.js'

const LOCATE_TIMEOUT = 10000

function startingPoint(L, data) {
  if (!data.latitude || !data.longitude) return undefined
  const latitude = Number(data.latitude)
  const longitude = Number(data.longitude)
  if (!Number.isFinite(latitude) || !Number.isFinite(longitude) || Math.abs(latitude) > 90 || Math.abs(longitude) > 180) return undefined
  return L.latLng(latitude, longitude)
}

function pinIcon(L) {
  return L.divIcon({ className: 'app-location-map__pin', html: '', iconSize: [32, 32], iconAnchor: [16, 39] })
}

let hints = 0

// Told to screen reader users when they reach the map, as its description.
function addKeyboardHint(canvas, text) {
  if (!text) return
  hints += 1
  const hint = document.createElement('p')
  hint.className = 'govuk-visually-hidden'
  hint.id = `app-location-map-hint-${hints}`
  hint.textContent = text
  canvas.parentElement.append(hint)
  const described = canvas.getAttribute('aria-describedby')
  canvas.setAttribute('aria-describedby', described ? `${described} ${hint.id}` : hint.id)
}

function createMarker(L, map, label, onMove) {
  const pin = L.marker(map.getCenter(), { icon: pinIcon(L), draggable: true, keyboard: false, title: label, alt: label })
  pin.on('dragend', () => onMove(pin.getLatLng()))
  pin.on('add', () => {
    const icon = pin.getElement()
    if (!icon || !label) return
    icon.setAttribute('role', 'img')
    icon.setAttribute('aria-label', label)
  })
  return pin
}

function enhance(L, container) {
  const data = container.dataset
  const canvas = container.querySelector('.app-location-map__canvas')
  const latitudeField = container.querySelector('[data-map-latitude]')
  const longitudeField = container.querySelector('[data-map-longitude]')
  const chosen = container.querySelector('[data-map-chosen]')
  const submit = container.querySelector('[data-map-submit]')
  const locate = container.querySelector('[data-map-locate]')
  const locateError = container.querySelector('[data-map-locate-error]')
  const bounds = areaBounds(L, data.bounds)
  if (!canvas || !latitudeField || !longitudeField || !submit || !bounds) return

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

  function hideLocateError() {
    if (!locateError) return
    locateError.hidden = true
    locateError.textContent = ''
  }

  function record(latLng) {
    const point = latLng.wrap()
    latitudeField.value = rounded(point.lat)
    longitudeField.value = rounded(point.lng)
    if (chosen) chosen.textContent = data.chosenText || ''
    submit.disabled = false
    submit.setAttribute('aria-disabled', 'false')
    hideLocateError()
  }

  const pin = createMarker(L, map, data.pinLabel || '', record)

  function mark(latLng) {
    pin.setLatLng(latLng)
    if (!map.hasLayer(pin)) pin.addTo(map)
    record(latLng)
  }

  map.on('click', (event) => mark(event.latlng))

  canvas.addEventListener('keydown', (event) => {
    if (event.target !== canvas || (event.key !== 'Enter' && event.key !== ' ')) return
    event.preventDefault()
    mark(map.getCenter())
  })
  addKeyboardHint(canvas, data.keyboardHint)

  const start = startingPoint(L, data)
  if (start) {
    map.setView(start, Math.max(map.getZoom(), CLOSE_ZOOM))
    mark(start)
  }

  // Browsers only give a position to pages served securely; elsewhere the button could only fail.
  if (locate && navigator.geolocation && window.isSecureContext) enableLocate(L, map, locate, locateError, data, mark)
}

function enableLocate(L, map, button, errorMessage, data, mark) {
  const area = map.options.maxBounds
  let pending = false

  function failed() {
    pending = false
    if (!errorMessage) return
    errorMessage.textContent = data.locateError || ''
    errorMessage.hidden = false
  }

  function found(position) {
    pending = false
    const here = L.latLng(position.coords.latitude, position.coords.longitude)
    // Somewhere the map cannot show (outside the council's area) is no help to the council either.
    if (!area.contains(here)) return failed()
    map.setView(here, CLOSE_ZOOM)
    mark(here)
  }

  button.hidden = false
  button.addEventListener('click', () => {
    if (pending) return
    pending = true
    try {
      navigator.geolocation.getCurrentPosition(found, failed, { enableHighAccuracy: true, timeout: LOCATE_TIMEOUT, maximumAge: 0 })
    } catch {
      failed()
    }
  })
}

enhanceAll('app-location-map', enhance)
