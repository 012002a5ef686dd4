/* global document */
import { initAll } from '/govuk-frontend/govuk-frontend.min.js'

initAll()

// Only pages with a map load Leaflet (it is large); if loading fails the page works as it is.
if (document.querySelector('[data-module="app-location-map"]')) {
  import('/public/javascripts/location-map.js').catch(() => {})
}
if (document.querySelector('[data-module="app-reports-map"]')) {
  import('/public/javascripts/reports-map.js').catch(() => {})
}
