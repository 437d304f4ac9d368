import { registerEnumType } from "type-graphql";

/** Where a version's code came from; bookkeeping only, never changes what runs. */
export enum SourceType {
  GITHUB = "GITHUB",
  GITLAB = "GITLAB",
  BITBUCKET = "BITBUCKET",
  AZURE_DEVOPS = "AZURE_DEVOPS",
  GIT = "GIT",
  SIMPLE = "SIMPLE",
}

registerEnumType(SourceType, {
  name: "SourceType",
  description: "The platform or tool that reported a version's source.",
  valuesConfig: {
    GITHUB: { description: "GitHub or GitHub Actions." },
    GITLAB: { description: "GitLab or GitLab CI." },
    BITBUCKET: { description: "Bitbucket or Bitbucket Pipelines." },
    AZURE_DEVOPS: { description: "Azure DevOps or Azure Pipelines." },
    GIT: { description: "A plain git checkout, no hosting platform known." },
    SIMPLE: { description: "Only a version string, no repository." },
  },
});
