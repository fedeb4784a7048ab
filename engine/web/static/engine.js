// Progressive enhancement for the generated pages: starts the NHS.UK frontend components, and shows or hides
// fields whose show_when condition depends on other answers. Without JavaScript every field is shown and the
// server still enforces the conditions.
document.body.classList.add('js-enabled', 'nhsuk-frontend-supported')

const loader = document.querySelector('script[data-frontend]')
if (loader) {
  import(loader.dataset.frontend).then(({ initAll }) => initAll())
}

function currentValues (form, name) {
  const inputs = form.querySelectorAll(`[name="${CSS.escape(name)}"]`)
  if (!inputs.length) {
    // The new-record form has no status input: the record will start in the form's initial status.
    return name === 'status' ? [form.dataset.status] : []
  }
  const values = []
  for (const input of inputs) {
    if (input.type === 'checkbox' && inputs.length === 1 && input.value === 'true') {
      values.push(input.checked ? 'true' : 'false') // a yes/no field: unticked means no
    } else if (input.type === 'radio' || input.type === 'checkbox') {
      if (input.checked) values.push(input.value)
    } else if (input.tagName === 'SELECT') {
      for (const option of input.selectedOptions) values.push(option.value)
    } else {
      values.push(input.value)
    }
  }
  return values
}

// The same rule as engine/schema/conditions.py (Condition.holds), over the values the form holds now.
function compares (value, op, bound) {
  const number = typeof bound === 'number'
  if (number && (value.trim() === '' || Number.isNaN(Number(value)))) return false
  const left = number ? Number(value) : value
  if (op === 'greater_than') return left > bound
  if (op === 'less_than') return left < bound
  if (op === 'at_least') return left >= bound
  return left <= bound
}

function holds (form, condition) {
  if (condition.all) return condition.all.every((part) => holds(form, part))
  if (condition.any) return condition.any.some((part) => holds(form, part))
  const items = currentValues(form, condition.field).filter((value) => value !== '')
  const wanted = condition.values.map(String)
  switch (condition.op) {
    case 'in': return items.some((value) => wanted.includes(value))
    case 'not_in': return !items.some((value) => wanted.includes(value))
    case 'empty': return items.length === 0
    case 'filled': return items.length > 0
    default: return items.some((value) => compares(value, condition.op, condition.values[0]))
  }
}

function applyConditions (form) {
  for (const field of form.querySelectorAll('[data-show-when]')) {
    field.hidden = !holds(form, JSON.parse(field.dataset.showWhen))
  }
}

for (const form of document.querySelectorAll('form.app-record-form')) {
  applyConditions(form)
  form.addEventListener('change', () => applyConditions(form))
  form.addEventListener('input', () => applyConditions(form))
}

// "Has this been done before?" on the new-record form: as the title (and the description) is typed, the
// panel asks the server for the most similar records from across the trust and lists them in place, so a
// person sees earlier work before they submit. Without JavaScript the panel's own button asks the same
// question by re-rendering the form. Records are written with textContent only: titles are what people typed.
const SIMILAR_DELAY_MS = 400
const SIMILAR_MIN_CHARACTERS = 3
const SIMILAR_TEXT_LIMIT = 1000 // enough of a description to match on, short enough for a URL

function fieldValue (form, name) {
  const field = name ? form.elements[name] : null
  return field && typeof field.value === 'string' ? field.value : ''
}

function longEnough (title) {
  return title.replace(/\s/g, '').length >= SIMILAR_MIN_CHARACTERS
}

function similarUrl (panel, title, text) {
  const url = new URL(panel.dataset.similarUrl, window.location.href)
  url.searchParams.set('title', title.trim())
  if (text.trim()) url.searchParams.set('text', text.trim().slice(0, SIMILAR_TEXT_LIMIT))
  return url
}

function element (tag, className, text) {
  const node = document.createElement(tag)
  if (className) node.className = className
  if (text !== undefined) node.textContent = text
  return node
}

function onThisSite (address) {
  try {
    return new URL(address, window.location.href).origin === window.location.origin
  } catch (error) {
    return false
  }
}

function similarItem (record) {
  const item = element('li', 'app-similar__item')
  const link = element('a', '', `${record.reference}: ${record.title}`)
  link.href = record.url
  const tag = element('strong', `nhsuk-tag ${record.closed ? 'nhsuk-tag--grey' : 'nhsuk-tag--blue'}`, record.status)
  const meta = element('span', 'app-similar__meta', [record.lead, record.department].filter(Boolean).join(', '))
  item.append(link, ' ', tag, ' ', meta)
  return item
}

// As the server renders it: the list, or (after a lookup that found nothing) a sentence saying so.
function showSimilar (panel, records, looked) {
  const results = panel.querySelector('.app-similar__results')
  const shown = records.filter((record) => onThisSite(record.url))
  if (!results) return
  if (shown.length) {
    const list = element('ul', 'nhsuk-list app-similar__list')
    list.append(...shown.map(similarItem))
    results.replaceChildren(list)
  } else if (looked) {
    results.replaceChildren(element('p', '', 'No similar records found.'))
  } else {
    results.replaceChildren()
  }
}

function announce (panel, message) {
  const status = panel.querySelector('#similar-status')
  if (status) status.textContent = message
}

function enhanceSimilar (panel) {
  const form = panel.closest('form')
  const { titleField, textField } = panel.dataset
  if (!form || !panel.dataset.similarUrl || !form.elements[titleField]) return
  let timer = null
  let inFlight = null

  async function lookUp () {
    const title = fieldValue(form, titleField)
    if (inFlight) inFlight.abort()
    inFlight = null
    if (!longEnough(title)) {
      showSimilar(panel, [], false)
      announce(panel, '')
      return
    }
    const controller = new AbortController()
    inFlight = controller
    try {
      const response = await fetch(similarUrl(panel, title, fieldValue(form, textField)), {
        signal: controller.signal, credentials: 'same-origin', headers: { Accept: 'application/json' }
      })
      if (!response.ok) return // the server could not answer: keep what is shown
      const answer = await response.json()
      if (controller.signal.aborted) return
      showSimilar(panel, answer.records || [], true)
      announce(panel, answer.message || '')
    } catch (error) {
      // Aborted by a newer question, or the network failed: keep what is shown, say nothing.
    } finally {
      if (inFlight === controller) inFlight = null
    }
  }

  function later () {
    clearTimeout(timer)
    timer = setTimeout(lookUp, SIMILAR_DELAY_MS)
  }

  for (const name of [titleField, textField]) {
    const field = name ? form.elements[name] : null
    if (field && field.addEventListener) field.addEventListener('input', later)
  }
  for (const button of panel.querySelectorAll('.app-similar__check')) button.hidden = true
  // A form shown again (after an error, or restored by the browser) may hold a title with nothing listed yet.
  if (!panel.querySelector('.app-similar__list') && longEnough(fieldValue(form, titleField))) lookUp()
}

for (const panel of document.querySelectorAll('#similar-work')) enhanceSimilar(panel)

// The filter panel of a list is a details element, sent closed so that a phone shows the results first. Where
// there is room for the filters beside the results (engine.css hides the panel's control there), it is opened,
// and it follows the window as it is resized or a tablet is turned.
const FILTERS_BESIDE_RESULTS = window.matchMedia('(min-width: 48.0625em)')

function placeFilters (resized) {
  for (const panel of document.querySelectorAll('details.app-filter-panel')) {
    // On a phone a panel sent open (it holds a message about what was typed) stays open until resized.
    if (FILTERS_BESIDE_RESULTS.matches || resized) panel.open = FILTERS_BESIDE_RESULTS.matches
  }
}

placeFilters(false)
FILTERS_BESIDE_RESULTS.addEventListener('change', () => placeFilters(true))
