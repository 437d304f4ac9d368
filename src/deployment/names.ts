import { characterLength } from "../characters";

/** Problems with a flow or deployment name (docs/design.md, "Deployments"), or none. */
export function nameProblems(field: string, value: string): string[] {
  if (value.length === 0) return [`${field} must not be empty`];
  const problems: string[] = [];
  if (value.includes("/")) problems.push(`${field} must not contain "/"`);
  if (value.trim() !== value) problems.push(`${field} must not start or end with white space`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) problems.push(`${field} must not contain control characters`);
  if (characterLength(value) > 200) problems.push(`${field} must be at most 200 characters`);
  return problems;
}
