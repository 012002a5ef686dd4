/**
 * Where a new request goes the moment it is made, so it has an owner before anyone triages it and
 * an appointment can be offered straight away. Staff can always assign it elsewhere.
 */
import { isChoiceQuestion, type RoutingRule, type ServiceDefinition } from './definition.ts'

export interface RoutingFacts {
  /** The trade of the job the answers describe, when they describe one. */
  trade: string | null
  /** The ward the property or place is in, when known. */
  wardCode: string | null
}

export interface Route {
  teamCode: string
  contractorCode: string | null
  /** The rule that decided, by position, or null when none held and the owning team has it. */
  ruleIndex: number | null
}

function listHolds(list: readonly string[] | undefined, value: string | null): boolean {
  return list === undefined || (value !== null && list.includes(value))
}

function ruleHolds(rule: RoutingRule, facts: RoutingFacts): boolean {
  return listHolds(rule.trades, facts.trade) && listHolds(rule.wards, facts.wardCode)
}

export function routeFor(definition: ServiceDefinition, facts: RoutingFacts): Route {
  const ruleIndex = definition.routing.findIndex((rule) => ruleHolds(rule, facts))
  const rule = definition.routing[ruleIndex]
  if (!rule) return { teamCode: definition.owningTeam, contractorCode: null, ruleIndex: null }
  return { teamCode: rule.team ?? definition.owningTeam, contractorCode: rule.contractor ?? null, ruleIndex }
}

/** Every trade the definition's jobs name, so a routing rule cannot wait for a trade that never comes. */
export function tradesOf(definition: ServiceDefinition): Set<string> {
  return new Set(
    definition.questions.filter(isChoiceQuestion).flatMap((question) => question.options.flatMap((option) => (option.job ? [option.job.trade] : []))),
  )
}
