import { describe, expect, it } from 'vitest'
import { readSlotChoice, slotChoiceDays, slotChoiceValue } from '../../../src/modules/scheduling/slot-choice.ts'
import { slotMoments, slotText } from '../../../src/modules/scheduling/slot-text.ts'
import { defaultWindows } from '../../../src/modules/scheduling/windows.ts'

describe('choosing a slot on a form', () => {
  it('reads back the slot a radio stands for, or none suitable', () => {
    const slot = { date: '2026-06-03', window: 'morning' }
    expect(readSlotChoice(slotChoiceValue(slot), defaultWindows)).toEqual(slot)
    expect(readSlotChoice('none', defaultWindows)).toBe('none')
  })

  it('reads nothing from a missing, unknown or made-up choice', () => {
    for (const value of [undefined, '', '2026-06-03', '2026-06-03/evening', '2026-02-30/morning', '2026-06-03/morning/extra', ['2026-06-03/morning']]) {
      expect(readSlotChoice(value, defaultWindows)).toBeUndefined()
    }
  })

  it('shows each day in words with its windows’ hours', () => {
    const days = slotChoiceDays([{ date: '2026-06-03', slots: [{ date: '2026-06-03', window: 'morning', free: 2 }, { date: '2026-06-03', window: 'afternoon', free: 1 }] }], defaultWindows)
    expect(days).toEqual([
      {
        day: 'Wednesday 3 June 2026',
        slots: [
          { value: '2026-06-03/morning', times: '8am to midday', free: 2 },
          { value: '2026-06-03/afternoon', times: 'midday to 6pm', free: 1 },
        ],
      },
    ])
  })
})

describe('a slot in words and moments', () => {
  it('describes the day and the hours on the UK clock', () => {
    expect(slotText({ date: '2026-12-01', window: 'all-day' })).toEqual({ day: 'Tuesday 1 December 2026', times: '8am to 6pm' })
  })

  it('starts and ends at the UK hours in summer and in winter', () => {
    expect(slotMoments({ date: '2026-07-15', window: 'morning' })).toEqual({ starts: new Date('2026-07-15T07:00:00Z'), ends: new Date('2026-07-15T11:00:00Z') })
    expect(slotMoments({ date: '2026-12-01', window: 'afternoon' })).toEqual({ starts: new Date('2026-12-01T12:00:00Z'), ends: new Date('2026-12-01T18:00:00Z') })
  })
})
