/* global document, fetch, history */
// Lists the addresses at a postcode without leaving the page. The form works on its own without
// this script (it is a plain GET form); whenever anything is unexpected — an invalid postcode, no
// addresses, the network failing — the script steps aside and lets the form submit, so the page
// from the server shows the GOV.UK error message or the way to enter the address by hand.

function element(name, attributes = {}, children = []) {
  const node = document.createElement(name)
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value)
  for (const child of children) node.append(child)
  return node
}

function radio(address, index) {
  const id = index === 0 ? 'uprn' : `uprn-${index + 1}`
  return element('div', { class: 'govuk-radios__item' }, [
    element('input', { class: 'govuk-radios__input', id, name: 'uprn', type: 'radio', value: String(address.uprn) }),
    element('label', { class: 'govuk-label govuk-radios__label', for: id }, [address.singleLine]),
  ])
}

function renderResults(form, container, { postcode, count, addresses }) {
  const text = form.dataset
  const heading = element('h2', { class: 'govuk-heading-m', tabindex: '-1' }, [text.textResultsTitle])
  const summary = (count === 1 ? text.textCountOne : text.textCount).replace('{count}', String(count)).replace('{postcode}', postcode)
  const choose = element('form', { method: 'get', action: text.selectAction, novalidate: '' }, [
    element('input', { type: 'hidden', name: 'postcode', value: postcode }),
    element('div', { class: 'govuk-form-group' }, [
      element('fieldset', { class: 'govuk-fieldset' }, [
        element('legend', { class: 'govuk-fieldset__legend govuk-visually-hidden' }, [text.textResultsTitle]),
        element('div', { class: 'govuk-radios', 'data-module': 'govuk-radios' }, addresses.map(radio)),
      ]),
    ]),
    element('button', { type: 'submit', class: 'govuk-button', 'data-module': 'govuk-button' }, [text.textUse]),
  ])
  const manual = element('a', { class: 'govuk-link', href: `${text.manualAction}?postcode=${encodeURIComponent(postcode)}` }, [text.textNotInList])
  container.replaceChildren(
    heading,
    element('p', { class: 'govuk-body', role: 'status' }, [summary]),
    choose,
    element('p', { class: 'govuk-body' }, [manual]),
  )
  heading.focus()
}

function enhance(form) {
  const container = document.querySelector('[data-address-results]')
  if (!container) return
  form.addEventListener('submit', async (event) => {
    // A page already showing an error is corrected the ordinary way, so its messages clear.
    if (document.querySelector('.govuk-error-summary')) return
    event.preventDefault()
    const postcode = form.elements.namedItem('postcode').value
    container.replaceChildren(element('p', { class: 'govuk-body', role: 'status' }, [form.dataset.textSearching]))
    try {
      const response = await fetch(`${form.dataset.api}?postcode=${encodeURIComponent(postcode)}`, { headers: { accept: 'application/json' } })
      const result = response.ok ? await response.json() : undefined
      if (!result || result.count === 0) throw new Error('no addresses to show')
      renderResults(form, container, result)
      history.replaceState(null, '', `${form.action}?postcode=${encodeURIComponent(result.postcode)}`)
    } catch {
      container.replaceChildren()
      form.submit()
    }
  })
}

for (const form of document.querySelectorAll('[data-module="app-address-finder"]')) enhance(form)
