/**
 * Scheduling: the council's capacity for visits, the slots offered from it, appointments booked,
 * moved and cancelled against it, reminder times and change links. Other modules use it only
 * through this file.
 */
export { changeLinkPurpose, changeLinkToken, readChangeLinkToken, type ChangeLinkClaims, type ChangeLinkReading } from './change-links.ts'
export { calendarFile, type CalendarEvent } from './calendar-file.ts'
export { defaultQuietHours, defaultReminderTime, reminderDecision, reminderSendAt, type QuietHours, type ReminderDecision, type ReminderOptions } from './reminders.ts'
export { noneSuitable, readSlotChoice, slotChoiceDays, slotChoiceValue, type SlotChoiceDay } from './slot-choice.ts'
export { dayText, slotMoments, slotText, windowTimesText, type SlotText } from './slot-text.ts'
export { residentAppointmentRoutes } from './resident-routes.ts'
export { schedulingStaffRoutes } from './staff-routes.ts'
export {
  createSchedulingServices,
  type Appointment,
  sendRemindersTask,
  type CapacityOwner,
  type ChangeLinkState,
  type SchedulingDependencies,
  type SchedulingServiceOptions,
  type SchedulingServices,
} from './service.ts'
export { appointmentStatuses, type AppointmentStatus } from './tables.ts'
export {
  checkWindows,
  defaultWindows,
  isBookableDay,
  slotsBetween,
  windowOf,
  type AppointmentWindow,
  type CapacityCount,
  type FreeSlot,
  type Slot,
  type SlotSearch,
  type SlotsOfDay,
} from './windows.ts'
