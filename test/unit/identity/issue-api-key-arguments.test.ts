import { describe, expect, it } from 'vitest'
import { readApiKeyArguments } from '../../../src/modules/identity/cli/api-key-arguments.ts'

describe('reading the command line that issues an API key', () => {
  it('reads a key for every service that may only read, at the usual rate', () => {
    expect(readApiKeyArguments(['--name', 'Open data dashboard', '--services', 'all'])).toEqual({
      form: { name: 'Open data dashboard', services: 'all', write: false, changeStatus: false, ratePerMinute: '' },
    })
  })

  it('reads chosen services, what the key may do and its rate, in any order and either spelling', () => {
    expect(readApiKeyArguments(['--change-status', '--rate=30', '--services=housing-repair,pothole', '--write', '--name=Fixit job system'])).toEqual({
      form: { name: 'Fixit job system', services: ['housing-repair', 'pothole'], write: true, changeStatus: true, ratePerMinute: '30' },
    })
  })

  it('leaves checking the values to the same rules as the back office form', () => {
    expect(readApiKeyArguments(['--services', ' pothole, ,', '--rate', 'lots'])).toEqual({
      form: { name: '', services: [' pothole', ' ', ''], write: false, changeStatus: false, ratePerMinute: 'lots' },
    })
  })

  it('asks for the services when none are given', () => {
    expect(readApiKeyArguments(['--name', 'Fixit'])).toEqual({ problem: 'cli.servicesMissing' })
  })

  it.each([
    [['--name', 'Fixit', '--services', 'all', '--colour', 'blue'], "Unknown option '--colour'"],
    [['--name', 'Fixit', '--services', 'all', 'extra'], "Unexpected argument 'extra'"],
    [['--services', 'all', '--name'], "Option '--name <value>' argument missing"],
    [['--services', 'all', '--write=yes'], "Option '--write' does not take an argument"],
  ])('refuses %j, saying why', (args, reason) => {
    const read = readApiKeyArguments(args)
    expect(read).toMatchObject({ problem: 'cli.unreadable' })
    expect('values' in read && read.values?.reason).toContain(reason)
  })
})
