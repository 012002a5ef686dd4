/**
 * Scheduling: the council's capacity for visits, the slots offered from it, appointments booked,
 * moved and cancelled against it, reminder times and change links. Other modules use it only
 * through this file.
 */
export { changeLinkPurpose, changeLinkToken, readChangeLinkToken, type ChangeLinkClaims, type ChangeLinkReading } from './change-links.ts'
export { defaultQuietHours, defaultReminderTime, reminderSendAt, type QuietHours, type ReminderOptions } from './reminders.ts'
export {
  createSchedulingServices,
  type Appointment,
  type CapacityOwner,
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
