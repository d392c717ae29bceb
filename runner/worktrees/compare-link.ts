/**
 * The web page comparing a pushed branch with its base, for remotes on
 * GitHub or GitLab (github.com, gitlab.com, or a host named like them). The
 * URL is rebuilt from host and path only: credentials in the remote URL
 * (`https://user:token@…`) never reach the link.
 */
export function compareLink(remoteUrl: string, base: string, branch: string): string | undefined {
  const m =
    /^(?:[a-z+]+:\/\/)?(?:[^@/]+@)?([^/:]+)(?::\d+)?[:/](.+?)(?:\.git)?\/?$/i.exec(remoteUrl.trim()) ??
    undefined;
  if (!m) return undefined;
  const host = m[1]!.toLowerCase();
  const path = m[2]!.replace(/^\/+/, '');
  if (!/^[\w.-]+(\/[\w.-]+)+$/.test(path)) return undefined;
  const range = `${encodeURIComponent(base)}...${branch.split('/').map(encodeURIComponent).join('/')}`;
  if (host.includes('github')) return `https://${host}/${path}/compare/${range}`;
  if (host.includes('gitlab')) return `https://${host}/${path}/-/compare/${range}`;
  return undefined;
}
