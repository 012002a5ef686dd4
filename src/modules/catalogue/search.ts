/**
 * Search over the catalogue of services for the front door's search box. It runs on the server so
 * the box works without JavaScript; a catalogue holds a few hundred services at most, so the whole
 * index lives in memory and every query looks at every indexed word.
 *
 * People type what they would say ("fly tipping", "pot hole", "councl tax"), so a query word may
 * match an indexed word exactly, by a shared plural or stem, as the start of it, or with a typo.
 */

export interface SearchableService {
  code: string
  name: string
  description: string
  synonyms: readonly string[]
  keywords: readonly string[]
}

export interface ServiceMatch {
  code: string
  score: number
}

// Callers build an index once per catalogue version and hand it back; its shape is nobody else's business.
const indexContents: unique symbol = Symbol('service search index')
export interface ServiceSearchIndex {
  readonly [indexContents]: IndexContents
}

interface IndexContents {
  readonly services: readonly IndexedService[]
  readonly vocabulary: readonly IndexedWord[]
  /** Indexed words by each of their stems, so a query finds its stem matches without a scan. */
  readonly wordsByStem: ReadonlyMap<string, readonly IndexedWord[]>
}

interface IndexedService {
  readonly code: string
  readonly name: string
  readonly nameWordCount: number
}

interface IndexedWord {
  readonly text: string
  /** Where the word appears: each service once, with the weight of the best field it appears in. */
  readonly appearances: readonly WordAppearance[]
}

interface WordAppearance {
  readonly serviceIndex: number
  readonly fieldWeight: number
}

/** How well one service matched each query word. */
interface WordMatches {
  readonly relevance: Float64Array
  readonly inName: Uint8Array
}

interface QueryTerm {
  readonly text: string
  readonly wordsSharingAStem: ReadonlySet<IndexedWord>
  readonly typoAllowance: number
  /** The query words this term stands for: one, or two for adjacent words run together. */
  readonly positions: readonly number[]
}

const MAX_QUERY_LENGTH = 200
const DEFAULT_LIMIT = 20
const SHORTEST_MEANINGFUL_WORD = 3
const SHORTEST_PREFIX = 3
// Small enough only to settle near-ties: "council tax" is more the point of "Pay your council tax"
// than of "Apply for housing benefit and council tax reduction".
const NAME_COVERAGE_WEIGHT = 0.1

// Each weighting keeps its own order when the other is equal, but neither dominates outright: an
// exact synonym is better evidence than a name matched only through a guessed typo.
const FIELD_WEIGHTS = { name: 1, synonym: 0.8, keyword: 0.6, description: 0.3 } as const
const MATCH_WEIGHTS = { exact: 1, stem: 0.85, prefix: 0.7, typo: 0.5 } as const
type Field = keyof typeof FIELD_WEIGHTS
type MatchKind = keyof typeof MATCH_WEIGHTS

const STOP_WORDS: ReadonlySet<string> = new Set(['a', 'an', 'the', 'my', 'to', 'of', 'for', 'in', 'on', 'and', 'i', 'is', 'it', 'report', 'with'])
const STEM_SUFFIXES = ['ing', 'es', 's'] as const

/** Prepares a catalogue version for searching: done once, so each search only compares words. */
export function searchIndex(services: readonly SearchableService[]): ServiceSearchIndex {
  const vocabulary = collectVocabulary(services)
  const contents: IndexContents = {
    services: services.map(({ code, name }) => ({ code, name, nameWordCount: Math.max(1, new Set(meaningfulWords(name)).size) })),
    vocabulary,
    wordsByStem: groupByStem(vocabulary),
  }
  return { [indexContents]: contents }
}

function collectVocabulary(services: readonly SearchableService[]): IndexedWord[] {
  const fieldWeightByServiceByWord = new Map<string, Map<number, number>>()
  services.forEach((service, serviceIndex) => {
    for (const [field, phrases] of fieldPhrases(service)) {
      for (const word of phrases.flatMap((phrase) => indexedWordsOf(phrase, field))) {
        const fieldWeightByService = fieldWeightByServiceByWord.get(word) ?? new Map<number, number>()
        fieldWeightByService.set(serviceIndex, Math.max(fieldWeightByService.get(serviceIndex) ?? 0, FIELD_WEIGHTS[field]))
        fieldWeightByServiceByWord.set(word, fieldWeightByService)
      }
    }
  })
  return [...fieldWeightByServiceByWord].map(([text, fieldWeightByService]) => ({
    text,
    appearances: [...fieldWeightByService].map(([serviceIndex, fieldWeight]) => ({ serviceIndex, fieldWeight })),
  }))
}

function groupByStem(words: readonly IndexedWord[]): Map<string, IndexedWord[]> {
  const wordsByStem = new Map<string, IndexedWord[]>()
  for (const word of words) {
    for (const stem of stemsOf(word.text)) {
      const sharing = wordsByStem.get(stem) ?? []
      sharing.push(word)
      wordsByStem.set(stem, sharing)
    }
  }
  return wordsByStem
}

/**
 * Services for a query, best first. Every query word should match something in a service for it to
 * be listed; when no service matches them all, services matching some of them are listed instead,
 * those matching more first, so "council tax bill" still finds "Pay your council tax".
 */
export function searchServices(index: ServiceSearchIndex, query: string, limit: number = DEFAULT_LIMIT): ServiceMatch[] {
  const queryWords = [...new Set(meaningfulWords(query.slice(0, MAX_QUERY_LENGTH)))]
  if (queryWords.length === 0) return []
  const { services, vocabulary, wordsByStem } = index[indexContents]
  const matchesByService = bestMatchesByService(queryTerms(queryWords, wordsByStem), vocabulary, services.length, queryWords.length)
  return listableServices(matchesByService, services, queryWords.length)
    .sort((first, second) => second.score - first.score || compareNames(first.service, second.service))
    .slice(0, Math.max(0, Math.trunc(limit)))
    .map(({ service, score }) => ({ code: service.code, score }))
}

function fieldPhrases(service: SearchableService): [Field, readonly string[]][] {
  return [
    ['name', [service.name]],
    ['synonym', service.synonyms],
    ['keyword', service.keywords],
    ['description', [service.description]],
  ]
}

/**
 * The words of a phrase, plus (except in free-text descriptions) its adjacent words run together and
 * the whole phrase run together, because people write "flytipping", "pot hole" and "street light"
 * whichever way the council happened to.
 */
function indexedWordsOf(phrase: string, field: Field): string[] {
  const words = meaningfulWords(phrase)
  if (field === 'description' || words.length < 2) return words
  const adjacentPairs = words.slice(1).map((word, position) => words[position] + word)
  return [...words, ...adjacentPairs, words.join('')]
}

function meaningfulWords(text: string): string[] {
  return normalise(text)
    .split(' ')
    .filter((word) => word.length >= SHORTEST_MEANINGFUL_WORD && !STOP_WORDS.has(word))
}

/** Lower case, without accents or apostrophes, and with every other run of punctuation a single space. */
function normalise(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/['‘’`]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()
}

/** The word and what is left of it without a plural or "-ing" ending, so "potholes" meets "pothole". */
function stemsOf(word: string): string[] {
  const stripped = STEM_SUFFIXES.filter((suffix) => word.endsWith(suffix) && word.length - suffix.length >= SHORTEST_MEANINGFUL_WORD).map(
    (suffix) => word.slice(0, -suffix.length),
  )
  return [word, ...stripped]
}

function queryTerms(queryWords: readonly string[], wordsByStem: IndexContents['wordsByStem']): QueryTerm[] {
  const queryTerm = (text: string, positions: readonly number[]): QueryTerm => ({
    text,
    wordsSharingAStem: new Set(stemsOf(text).flatMap((stem) => wordsByStem.get(stem) ?? [])),
    typoAllowance: typoAllowance(text.length),
    positions,
  })
  const single = queryWords.map((word, position) => queryTerm(word, [position]))
  const runTogether = queryWords.slice(1).map((word, position) => queryTerm(queryWords[position] + word, [position, position + 1]))
  return [...single, ...runTogether]
}

/** Short words get no typo allowance: one edit to a three-letter word makes too many other words. */
function typoAllowance(length: number): number {
  if (length >= 7) return 2
  if (length >= 4) return 1
  return 0
}

/** For each service that matched anything, the best relevance found for each query word. */
function bestMatchesByService(
  terms: readonly QueryTerm[],
  vocabulary: readonly IndexedWord[],
  serviceCount: number,
  wordCount: number,
): (WordMatches | undefined)[] {
  const matchesByService = new Array<WordMatches | undefined>(serviceCount)
  for (const term of terms) {
    for (const word of vocabulary) {
      const kind = matchKind(term, word)
      if (kind === undefined) continue
      for (const { serviceIndex, fieldWeight } of word.appearances) {
        const matches = (matchesByService[serviceIndex] ??= { relevance: new Float64Array(wordCount), inName: new Uint8Array(wordCount) })
        for (const position of term.positions) {
          matches.relevance[position] = Math.max(matches.relevance[position]!, fieldWeight * MATCH_WEIGHTS[kind])
          if (fieldWeight === FIELD_WEIGHTS.name) matches.inName[position] = 1
        }
      }
    }
  }
  return matchesByService
}

function matchKind(term: QueryTerm, word: IndexedWord): MatchKind | undefined {
  if (term.text === word.text) return 'exact'
  if (term.wordsSharingAStem.has(word)) return 'stem'
  if (term.text.length >= SHORTEST_PREFIX && word.text.startsWith(term.text)) return 'prefix'
  if (withinEditDistance(term.text, word.text, term.typoAllowance)) return 'typo'
  return undefined
}

/**
 * Scores count the query words matched, plus their relevance and how much of the name they cover,
 * shared out so it stays below one: a service matching more words always scores higher whatever
 * the quality of its matches.
 */
function listableServices(
  matchesByService: readonly (WordMatches | undefined)[],
  services: readonly IndexedService[],
  wordCount: number,
): { service: IndexedService; score: number }[] {
  const scored = services.flatMap((service, serviceIndex) => {
    const matches = matchesByService[serviceIndex]
    if (matches === undefined) return []
    const { relevance, inName } = matches
    const matchedWords = relevance.filter((value) => value > 0).length
    const totalRelevance = relevance.reduce((total, value) => total + value, 0)
    const nameCoverage = Math.min(1, inName.reduce((total, value) => total + value, 0) / service.nameWordCount)
    const score = matchedWords + (totalRelevance + NAME_COVERAGE_WEIGHT * nameCoverage) / (wordCount + 1)
    return [{ service, matchedWords, score }]
  })
  const fewestWordsToList = scored.some(({ matchedWords }) => matchedWords === wordCount) ? wordCount : 1
  return scored.filter(({ matchedWords }) => matchedWords >= fewestWordsToList)
}

function compareNames(first: IndexedService, second: IndexedService): number {
  return first.name.localeCompare(second.name, 'en-GB') || (first.code < second.code ? -1 : first.code > second.code ? 1 : 0)
}

/**
 * Whether two words are within the allowance by optimal string alignment distance (Damerau–Levenshtein
 * where a transposed pair is not edited again). Gives up as soon as no alignment can stay within it.
 */
function withinEditDistance(first: string, second: string, allowance: number): boolean {
  if (allowance === 0 || Math.abs(first.length - second.length) > allowance) return false
  let [rowBeforeLast, lastRow, row] = editDistanceRows(second.length + 1)
  for (let column = 0; column <= second.length; column++) lastRow[column] = column
  for (let line = 1; line <= first.length; line++) {
    row[0] = line
    let rowMinimum = line
    for (let column = 1; column <= second.length; column++) {
      const substitution = lastRow[column - 1]! + (first[line - 1] === second[column - 1] ? 0 : 1)
      let distance = Math.min(lastRow[column]! + 1, row[column - 1]! + 1, substitution)
      if (line > 1 && column > 1 && first[line - 1] === second[column - 2] && first[line - 2] === second[column - 1]) {
        distance = Math.min(distance, rowBeforeLast[column - 2]! + 1)
      }
      row[column] = distance
      rowMinimum = Math.min(rowMinimum, distance)
    }
    if (rowMinimum > allowance) return false
    const recycled = rowBeforeLast
    rowBeforeLast = lastRow
    lastRow = row
    row = recycled
  }
  return lastRow[second.length]! <= allowance
}

// Searching compares a query with every indexed word, so the working rows are reused rather than
// allocated per comparison; searching is synchronous, so no two comparisons ever share them.
let sharedEditDistanceRows: [Int32Array, Int32Array, Int32Array] = [new Int32Array(0), new Int32Array(0), new Int32Array(0)]

function editDistanceRows(length: number): [Int32Array, Int32Array, Int32Array] {
  if (sharedEditDistanceRows[0].length < length) {
    sharedEditDistanceRows = [new Int32Array(length * 2), new Int32Array(length * 2), new Int32Array(length * 2)]
  }
  return sharedEditDistanceRows
}
