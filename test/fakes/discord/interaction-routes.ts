/**
 * Interaction callbacks and the interaction webhook, checked the way Discord checks them: one
 * answer per interaction, answer types that fit the interaction type, @original only after an
 * answer, a deferred reply's first follow-up replacing the loading message.
 */
import {
  type ApiErrorBody,
  apiError,
  applyEdit,
  buildMessage,
  type Json,
  MESSAGE_FLAGS,
  validateMessageBody,
} from './messages.js';
import { DISCORD } from './objects.js';
import { ok, type Route, type RouteContext, type RouteRequest, type RouteResponse } from './routes.js';
import type { InteractionRecord } from './state.js';

const unknownInteraction = () => apiError(404, 10062, 'Unknown interaction');
const unknownWebhook = () => apiError(404, 10015, 'Unknown Webhook');
const unknownMessage = () => apiError(404, 10008, 'Unknown Message');

/** Callback type -> interaction types it may answer (2 command, 3 component, 4 autocomplete, 5 modal). */
const ALLOWED: Record<number, number[]> = {
  4: [2, 3, 5],
  5: [2, 3, 5],
  6: [3, 5],
  7: [3, 5],
  8: [4],
  9: [2, 3],
};

function createOriginal(ctx: RouteContext, record: InteractionRecord, body: Json, loading: boolean): Json {
  const i = record.interaction;
  const member = i.member as Json | undefined;
  const message = buildMessage({
    id: ctx.state.nextId(),
    channelId: String(i.channel_id),
    guildId: i.guild_id as string | undefined,
    body,
    nowIso: ctx.state.nowIso(),
    type: i.type === 2 ? 20 : 0,
    extra: {
      webhook_id: DISCORD.applicationId,
      application_id: DISCORD.applicationId,
      interaction_metadata: {
        id: i.id,
        type: i.type,
        user: member?.user ?? i.user,
        authorizing_integration_owners: i.authorizing_integration_owners,
      },
    },
  });
  if (loading) message.flags = (message.flags as number) | MESSAGE_FLAGS.loading;
  ctx.state.messages.set(String(message.id), message);
  return message;
}

/** The message a component sits on, kept in the store so edits to it can be read back. */
function componentMessage(ctx: RouteContext, record: InteractionRecord): Json {
  const carried = record.interaction.message as Json;
  const id = String(carried.id);
  const stored = ctx.state.messages.get(id) ?? structuredClone(carried);
  ctx.state.messages.set(id, stored);
  return stored;
}

function invalid(message: string): ApiErrorBody {
  return apiError(400, 50035, 'Invalid Form Body', {
    type: { _errors: [{ code: 'INTERACTION_RESPONSE_TYPE_INVALID', message }] },
  });
}

function callback({ params, body, query, ctx }: RouteRequest): RouteResponse {
  const record = ctx.state.interactions.get(params[0]!);
  if (record === undefined || record.interaction.token !== params[1]) return unknownInteraction();
  if (ctx.callbackDeadlineMs !== undefined && ctx.state.now() - record.createdAt > ctx.callbackDeadlineMs) {
    return unknownInteraction();
  }
  if (record.responseType !== undefined)
    return apiError(400, 40060, 'Interaction has already been acknowledged.');
  const type = body.type as number;
  const kind = record.interaction.type as number;
  const data = (body.data ?? {}) as Json;
  if (!ALLOWED[type]?.includes(kind))
    return invalid(`callback type ${type} cannot answer interaction type ${kind}`);
  if ((type === 6 || type === 7) && record.interaction.message === undefined)
    return invalid('no message to update');

  let message: Json | undefined;
  if (type === 4) {
    const bad = validateMessageBody(data, 0);
    if (bad) return bad;
    message = createOriginal(ctx, record, data, false);
  } else if (type === 5) {
    message = createOriginal(ctx, record, { flags: typeof data.flags === 'number' ? data.flags : 0 }, true);
  } else if (type === 6 || type === 7) {
    message = componentMessage(ctx, record);
    if (type === 7) applyEdit(message, data, ctx.state.nowIso());
  } else if (type === 8 && (!Array.isArray(data.choices) || data.choices.length > 25)) {
    return invalid('choices must be an array of at most 25');
  } else if (
    type === 9 &&
    (typeof data.custom_id !== 'string' || typeof data.title !== 'string' || !Array.isArray(data.components))
  ) {
    return invalid('a modal needs custom_id, title and components');
  }
  record.responseType = type;
  if (message !== undefined) record.originalMessageId = String(message.id);
  if (query.get('with_response') !== 'true') return ok();
  return ok({
    interaction: {
      id: record.interaction.id,
      type: kind,
      activity_instance_id: null,
      response_message_id: message?.id ?? null,
      response_message_loading: type === 5,
      response_message_ephemeral:
        (((message?.flags as number | undefined) ?? 0) & MESSAGE_FLAGS.ephemeral) !== 0,
    },
    resource: { type, ...(message ? { message } : {}) },
  });
}

function answeredInteraction(params: string[], ctx: RouteContext): InteractionRecord | ApiErrorBody {
  if (params[0] !== DISCORD.applicationId) return unknownWebhook();
  const record = ctx.state.interactionByToken(params[1]!);
  return record?.responseType === undefined ? unknownWebhook() : record;
}

function webhookMessage(req: RouteRequest): { record: InteractionRecord; message: Json } | ApiErrorBody {
  const record = answeredInteraction(req.params, req.ctx);
  if ('status' in record) return record;
  const id = req.params[2] === '@original' ? record.originalMessageId : req.params[2];
  const message = id === undefined ? undefined : req.ctx.state.messages.get(id);
  return message === undefined ? unknownMessage() : { record, message };
}

function followUp(req: RouteRequest): RouteResponse {
  const record = answeredInteraction(req.params, req.ctx);
  if ('status' in record) return record;
  const bad = validateMessageBody(req.body, req.files.length);
  if (bad) return bad;
  const original = record.originalMessageId
    ? req.ctx.state.messages.get(record.originalMessageId)
    : undefined;
  if (original !== undefined && ((original.flags as number) & MESSAGE_FLAGS.loading) !== 0) {
    return ok(applyEdit(original, req.body, req.ctx.state.nowIso()));
  }
  return ok(createOriginal(req.ctx, record, req.body, false));
}

const WEBHOOK = '^/webhooks/(\\d+)/([^/]+)';
const WEBHOOK_MESSAGE = new RegExp(`${WEBHOOK}/messages/(@original|\\d+)$`);

export const INTERACTION_ROUTES: Route[] = [
  { method: 'POST', pattern: /^\/interactions\/(\d+)\/([^/]+)\/callback$/, auth: false, handle: callback },
  { method: 'POST', pattern: new RegExp(`${WEBHOOK}$`), auth: false, handle: followUp },
  {
    method: 'GET',
    pattern: WEBHOOK_MESSAGE,
    auth: false,
    handle: (req) => {
      const found = webhookMessage(req);
      return 'status' in found ? found : ok(found.message);
    },
  },
  {
    method: 'PATCH',
    pattern: WEBHOOK_MESSAGE,
    auth: false,
    handle: (req) => {
      const found = webhookMessage(req);
      if ('status' in found) return found;
      const bad = validateMessageBody(req.body, req.files.length, { editing: true });
      return bad ?? ok(applyEdit(found.message, req.body, req.ctx.state.nowIso()));
    },
  },
  {
    method: 'DELETE',
    pattern: WEBHOOK_MESSAGE,
    auth: false,
    handle: (req) => {
      const found = webhookMessage(req);
      if ('status' in found) return found;
      req.ctx.state.messages.delete(String(found.message.id));
      return ok();
    },
  },
];
