/** Runs the ChatPort contract against every adapter (Discord joins with its driver). */
import { chatPortContract } from './chat-port.contract.js';
import { consoleDriver } from './drivers/console.js';
import { memoryDriver } from './drivers/memory.js';
import { slackDriver } from './drivers/slack.js';

chatPortContract('memory', memoryDriver);
chatPortContract('slack (Bolt + WebClient against the stand-in)', slackDriver);
chatPortContract('console', consoleDriver);
