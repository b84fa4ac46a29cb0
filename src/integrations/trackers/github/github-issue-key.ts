export interface GitHubRepo {
  owner: string;
  repo: string;
}

const REPO = /^([A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)\/([A-Za-z0-9._-]+)$/;

/** `owner/name` as octokit's parameters. */
export function parseGitHubRepo(text: string): GitHubRepo {
  const match = REPO.exec(text.trim());
  if (!match) throw new Error(`"${text}" is not a GitHub repository of the form owner/name`);
  return { owner: match[1]!, repo: match[2]! };
}

/** An issue's key as stored on the action item: `owner/name#12`. */
export const githubIssueKey = (repo: GitHubRepo, number: number): string => `${repo.owner}/${repo.repo}#${number}`;

export function parseGitHubIssueKey(key: string): { repo: GitHubRepo; number: number } {
  const hash = key.lastIndexOf('#');
  const number = Number(key.slice(hash + 1));
  if (hash < 0 || !Number.isInteger(number) || number <= 0) throw new Error(`"${key}" is not a GitHub issue key of the form owner/name#number`);
  return { repo: parseGitHubRepo(key.slice(0, hash)), number };
}
