/** `hermes schedules pause` (schedules.ts). */
export { pause as run } from './schedules.js';
