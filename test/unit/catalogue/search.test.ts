import { describe, expect, it } from 'vitest'
import { searchIndex, searchServices, type SearchableService } from '../../../src/modules/catalogue/search.ts'

const service = (code: string, name: string, description: string, synonyms: string[], keywords: string[]): SearchableService => ({
  code,
  name,
  description,
  synonyms,
  keywords,
})

const catalogue: SearchableService[] = [
  service('pothole', 'Report a pothole', 'Tell us about a hole or damage in a road or pavement.', ['road defect', 'damaged road'], ['road', 'pavement', 'tarmac']),
  service('fly-tipping', 'Report fly-tipping', 'Tell us about rubbish left on public land.', ['fly tipping', 'dumped rubbish', 'illegal dumping'], ['rubbish', 'waste', 'mattress']),
  service('graffiti', 'Report graffiti', 'Tell us about graffiti or offensive painting on walls and buildings.', ['vandalism', 'tagging'], ['paint', 'spray paint']),
  service('street-light', 'Report a street light fault', 'Tell us about a street light that is broken, flickering or on during the day.', ['streetlight', 'lamp post fault'], ['street lamp', 'lamp', 'lamppost', 'not working', 'dark', 'flickering']),
  service('missed-bin', 'Report a missed bin collection', 'Tell us if your bin was not emptied on collection day.', ['bin not emptied', 'missed collection'], ['bin', 'wheelie bin', 'recycling', 'rubbish']),
  service('abandoned-vehicle', 'Report an abandoned vehicle', 'Tell us about a vehicle that has been left on a road or council land.', ['dumped car', 'abandoned car'], ['car', 'van', 'untaxed']),
  service('dog-fouling', 'Report dog fouling', 'Tell us about dog mess in a public place.', ['dog mess', 'dog poo'], ['dog', 'poo', 'mess']),
  service('blocked-drain', 'Report a blocked drain', 'Tell us about a blocked gully or drain on a road, or flooding from one.', ['blocked gully', 'flooded road'], ['drain', 'gully', 'flooding']),
  service('dead-animal', 'Report a dead animal', 'Tell us about a dead animal on a road or public place so we can remove it.', ['roadkill', 'dead bird'], ['fox', 'badger', 'cat', 'deer']),
  service('housing-repair', 'Report a housing repair', 'Ask for a repair to your council home: leaks, heating, windows or doors.', ['council home repair', 'repairs'], ['leak', 'boiler', 'damp', 'mould', 'heating']),
  service('council-tax', 'Pay your council tax', 'Pay your council tax bill online by debit card.', ['pay council tax', 'council tax payment'], ['bill', 'payment', 'band']),
  service('benefits', 'Apply for housing benefit and council tax reduction', 'Get help paying your rent or council tax if you are on a low income.', ['housing benefit', 'council tax support'], ['benefit', 'rent', 'low income']),
  service('planning', 'Apply for planning permission', 'Make a planning application for building work or extensions.', ['planning application', 'building permission'], ['extension', 'planning', 'build']),
  service('parking-permit', 'Apply for a resident parking permit', 'Get a permit to park your car in a resident parking zone.', ['parking permit', 'resident permit'], ['park', 'permit', 'zone']),
  service('bulky-waste', 'Book a bulky waste collection', 'Book a collection of large household items such as furniture and fridges.', ['bulky waste', 'large items'], ['furniture', 'sofa', 'fridge', 'mattress']),
  service('library', 'Join the library', 'Get a library card to borrow books, e-books and audiobooks.', ['library card', 'borrow books'], ['books', 'ebooks', 'audiobooks']),
  service('register-birth', 'Register a birth', 'Book an appointment to register a baby’s birth within 42 days.', ['birth registration', 'birth certificate'], ['baby', 'newborn', 'certificate']),
  service('noise', 'Report a noise complaint', 'Tell us about loud music, parties or barking dogs disturbing you.', ['noisy neighbours', 'loud music'], ['noise', 'music', 'barking']),
  service('school-admissions', 'Apply for a school place', 'Apply for a primary or secondary school place for your child.', ['school admissions', 'school application'], ['school', 'primary', 'secondary']),
  service('tree', 'Report a dangerous tree', 'Tell us about a council tree that has fallen or looks dangerous.', ['fallen tree', 'overhanging branches'], ['tree', 'branch', 'hedge']),
]

const index = searchIndex(catalogue)
const codesFor = (query: string, limit?: number) => searchServices(index, query, limit).map((match) => match.code)

describe('searching the catalogue of services', () => {
  it.each([
    ['flytip', 'fly-tipping'],
    ['fly tipping', 'fly-tipping'],
    ['Fly-Tipping', 'fly-tipping'],
    ['dumped rubbish', 'fly-tipping'],
    ['pot hole', 'pothole'],
    ['potholes', 'pothole'],
    ['pothoel', 'pothole'],
    ['grafitti', 'graffiti'],
    ['graffitti', 'graffiti'],
    ['streetlight', 'street-light'],
    ['street lamp not working', 'street-light'],
    ['councl tax', 'council-tax'],
    ['missed bins', 'missed-bin'],
    ['dead fox', 'dead-animal'],
    ['blocked drain', 'blocked-drain'],
    ['abandonded car', 'abandoned-vehicle'],
  ])('puts the right service first for "%s"', (query, expected) => {
    expect(codesFor(query)[0]).toBe(expected)
  })

  it('ignores case, accents, apostrophes and punctuation', () => {
    expect(codesFor('  GRÄFFITI!! ')[0]).toBe('graffiti')
    expect(codesFor('baby’s birth')[0]).toBe('register-birth')
  })

  it('finds nothing for nonsense, an empty query or only stop words', () => {
    expect(searchServices(index, 'xyzzy')).toEqual([])
    expect(searchServices(index, '')).toEqual([])
    expect(searchServices(index, 'the')).toEqual([])
    expect(searchServices(index, 'Report it to the...')).toEqual([])
  })

  it('lists only the services matching every word when some do', () => {
    expect(codesFor('council tax')).toEqual(expect.arrayContaining(['council-tax', 'benefits']))
    expect(codesFor('dog mess')).toEqual(['dog-fouling'])
  })

  it('falls back to services matching most words when none match them all', () => {
    const matches = searchServices(index, 'council tax bill zzqqx')
    expect(matches[0]?.code).toBe('council-tax')
    expect(matches.length).toBeGreaterThan(1)
  })

  it('ranks a match in the name above a match only in the description', () => {
    const recycling = searchIndex([
      service('described', 'Order a garden bin', 'Ask for a bin for garden recycling.', [], []),
      service('named', 'Book a recycling centre visit', 'Book a slot at the tip.', [], []),
    ])
    expect(searchServices(recycling, 'recycling').map((match) => match.code)).toEqual(['named', 'described'])
  })

  it('ranks services matching more query words higher, then by name and code on a tie', () => {
    const twins = searchIndex([
      service('b-second', 'Leaf clearing', '', [], []),
      service('a-first', 'Leaf clearing', '', [], []),
      service('aardvark', 'Aardvark leaf', '', [], []),
    ])
    expect(searchServices(twins, 'leaf').map((match) => match.code)).toEqual(['aardvark', 'a-first', 'b-second'])
    expect(searchServices(twins, 'leaf clearing').map((match) => match.code)).toEqual(['a-first', 'b-second'])
  })

  it('honours the limit', () => {
    expect(codesFor('road').length).toBeGreaterThan(2)
    expect(codesFor('road', 2)).toHaveLength(2)
    expect(codesFor('road', 0)).toEqual([])
  })

  it('stays fast on an enormous query', () => {
    const enormous = 'pothole graffiti '.repeat(700).slice(0, 10_000)
    const started = performance.now()
    searchServices(index, enormous)
    expect(performance.now() - started).toBeLessThan(50)
  })

  it('never throws and always gives finite scores, best first, for random input', () => {
    const random = seededRandom(20_261_125)
    const alphabet = 'abcdefghijklmnopqrstuvwxyz  -’\'éÅ.,!?0123456789ßø漢😀'
    for (let attempt = 0; attempt < 500; attempt++) {
      const length = Math.floor(random() * 60)
      const query = Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)]).join('')
      const scores = searchServices(index, query).map((match) => match.score)
      for (const score of scores) expect(Number.isFinite(score) && score > 0).toBe(true)
      expect(scores).toEqual([...scores].sort((first, second) => second - first))
    }
  })
})

/** Mulberry32: a tiny deterministic generator, so a failing case can be replayed. */
function seededRandom(seed: number): () => number {
  let state = seed
  return () => {
    state = (state + 0x6d2b79f5) | 0
    let mixed = Math.imul(state ^ (state >>> 15), 1 | state)
    mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed)) ^ mixed
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296
  }
}
