/** `hermes schedules add` (schedules.ts). */
export { add as run } from './schedules.js';
