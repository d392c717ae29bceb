/**
 * What happened to a job outside the event stream, for whoever shows jobs (the chat cores): a
 * cancel or a registration made through the bot's control socket (`hermes jobs cancel`,
 * `hermes jobs register` while the bot runs). Chat's own commands post their own replies and do
 * not go through here.
 */
export type JobNotice =
  | { kind: 'cancelled'; jobId: string; by: string }
  | { kind: 'registered'; jobId: string };

export type JobNoticeListener = (notice: JobNotice) => void;

export class JobNotices {
  private readonly listeners = new Set<JobNoticeListener>();

  on(listener: JobNoticeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(notice: JobNotice): void {
    for (const l of this.listeners) l(notice);
  }
}
