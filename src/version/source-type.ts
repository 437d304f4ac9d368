import { schemaEnum } from "../schema/enum";

/** Where a version's code came from; bookkeeping only, never changes what runs. */
export const SourceType = schemaEnum("SourceType", "The platform or tool that reported a version's source.", {
  GITHUB: "GitHub or GitHub Actions.",
  GITLAB: "GitLab or GitLab CI.",
  BITBUCKET: "Bitbucket or Bitbucket Pipelines.",
  AZURE_DEVOPS: "Azure DevOps or Azure Pipelines.",
  GIT: "A plain git checkout, no hosting platform known.",
  SIMPLE: "Only a version string, no repository.",
});
export type SourceType = (typeof SourceType)[keyof typeof SourceType];
