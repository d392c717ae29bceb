/**
 * The bot's control socket ($HERMES_HOME/bot.sock, 0600), one JSON line each way:
 *   {"op":"cancel","args":{…}}  ->  {"ok":true,"result":…}
 *                               ->  {"ok":false,"error":{"code":"…","message":"…","hint":"…"}}
 * Only the bot's own user can connect; arguments may carry a job token (register with a given
 * one), so requests are never logged.
 */
import { z } from 'zod';
import { ERROR_CODES, type ErrorCode } from '../../errors.js';

export const ControlRequest = z.object({ op: z.string().min(1).max(64), args: z.unknown() });
export type ControlRequest = z.infer<typeof ControlRequest>;

const errorCodes = Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]];

export const ControlAnswer = z.union([
  z.object({ ok: z.literal(true), result: z.unknown() }),
  z.object({
    ok: z.literal(false),
    error: z.object({
      code: z.enum(errorCodes).catch('store'),
      message: z.string(),
      hint: z.string().optional(),
    }),
  }),
]);
export type ControlAnswer = z.infer<typeof ControlAnswer>;
