/** `hermes schedules resume` (schedules.ts). */
export { resume as run } from './schedules.js';
