/** `hermes jobs done ID`: see jobs-reply.ts. */
export { runDone as run } from './jobs-reply.js';
