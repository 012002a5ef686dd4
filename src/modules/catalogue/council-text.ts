import type { Config } from '../../config.ts'
import { fillPlaceholders, textIn, type DefinitionPlaceholder, type LocalisedText } from './definition.ts'

/** The national gas emergency line, the same for every council. */
const gasEmergencyPhone = '0800 111 999'

/** Only English is offered so far; Welsh text in definitions waits for a Welsh site. */
export const catalogueLocale = 'en'

/** A definition's text for this council: in the site's language, with the council's own numbers filled in. */
export function councilText(council: Config['council']): (value: LocalisedText) => string {
  const placeholders: Record<DefinitionPlaceholder, string> = {
    councilName: council.name,
    councilPhone: council.phone,
    councilEmail: council.email,
    repairsPhone: council.repairsPhone,
    outOfHoursPhone: council.outOfHoursPhone,
    gasEmergencyPhone,
  }
  return (value) => fillPlaceholders(textIn(value, catalogueLocale), placeholders)
}
