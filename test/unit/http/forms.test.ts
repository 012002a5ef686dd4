import type { FastifyRequest } from 'fastify'
import { describe, expect, it } from 'vitest'
import { formField, formFields } from '../../../src/lib/http/forms.ts'

const posted = (body: unknown) => ({ body }) as FastifyRequest

describe('reading a posted form', () => {
  it('takes one field as text, the first of several, and nothing when it was not sent', () => {
    expect(formField(posted({ name: 'Fixit' }), 'name')).toBe('Fixit')
    expect(formField(posted({ name: ['Fixit', 'Other'] }), 'name')).toBe('Fixit')
    expect(formField(posted({}), 'name')).toBe('')
    expect(formField(posted(undefined), 'name')).toBe('')
  })

  it('takes every ticked box of a group, one or many, and none when none was ticked', () => {
    expect(formFields(posted({ serviceCodes: 'pothole' }), 'serviceCodes')).toEqual(['pothole'])
    expect(formFields(posted({ serviceCodes: ['pothole', 'graffiti'] }), 'serviceCodes')).toEqual(['pothole', 'graffiti'])
    expect(formFields(posted({ serviceCodes: '' }), 'serviceCodes')).toEqual([])
    expect(formFields(posted({}), 'serviceCodes')).toEqual([])
    expect(formFields(posted({ serviceCodes: [{ file: true }, 'pothole'] }), 'serviceCodes')).toEqual(['pothole'])
  })
})
