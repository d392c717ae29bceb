/** `hermes schedules list` (schedules.ts). */
export { list as run } from './schedules.js';
