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

function applyConditions (form) {
  for (const field of form.querySelectorAll('[data-show-when]')) {
    const terms = JSON.parse(field.dataset.showWhen)
    const shown = Object.entries(terms).every(
      ([name, wanted]) => currentValues(form, name).some((value) => wanted.includes(value))
    )
    field.hidden = !shown
  }
}

for (const form of document.querySelectorAll('form.app-record-form')) {
  applyConditions(form)
  form.addEventListener('change', () => applyConditions(form))
  form.addEventListener('input', () => applyConditions(form))
}
