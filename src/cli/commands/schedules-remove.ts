/** `hermes schedules remove` (schedules.ts). */
export { remove as run } from './schedules.js';
