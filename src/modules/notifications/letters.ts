/** GOV.UK Notify prints a letter's address in 3 to 7 lines, the last one the postcode. */
export const fewestAddressLines = 3
export const mostAddressLines = 7

/** A letter's recipient as the lines of its postal address: one to a line, blank lines left out. */
export function addressLines(recipient: string): string[] {
  return recipient
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
}

/** Why GOV.UK Notify would refuse to print this address, or undefined when it has a fit number of lines. */
export function addressProblem(recipient: string): string | undefined {
  const count = addressLines(recipient).length
  if (count < fewestAddressLines) return `A letter's address needs at least ${fewestAddressLines} lines, postcode last; this one has ${count}`
  if (count > mostAddressLines) return `A letter's address can have at most ${mostAddressLines} lines; this one has ${count}`
  return undefined
}

/**
 * The address as GOV.UK Notify's letter personalisation takes it: address_line_1 onwards, one per
 * line, so the postcode is in the last one given. Only call it for an address without a problem.
 */
export function notifyAddressPersonalisation(recipient: string): Record<string, string> {
  return Object.fromEntries(addressLines(recipient).map((line, index) => [`address_line_${index + 1}`, line]))
}
