/** The workspace the Slack stand-in pretends to be. Tests read these instead of repeating literals. */
export const SLACK = {
  teamId: 'T0HERMES01',
  teamDomain: 'hermes-test',
  teamName: 'Hermes Test',
  appId: 'A0HERMES01',
  botUserId: 'U0HERMESBOT',
  botId: 'B0HERMESBOT',
  botName: 'hermes',
  channelId: 'C0JOBS0001',
  channelName: 'hermes-jobs',
  user: { id: 'U0ALICE001', username: 'alice', name: 'Alice Example' },
  /** Legacy verification token; Bolt ignores it, Slack still sends it. */
  verificationToken: 'fake-verification-token',
} as const;

export interface SlackUserRef {
  id: string;
  username: string;
}
