/**
 * The two examples of Prefect's deployment-versioning guide (a git_clone pull step pinned by commit_sha, and an
 * image pinned by digest) combined into one prefect.yaml, to be deployed unchanged.
 */
export const SEED_PREFECT_YAML = `
pull:
- prefect.deployments.steps.git_clone:
    repository: https://github.com/my-org/my-repo.git
    commit_sha: "{{ $GITHUB_SHA }}"

deployments:
- name: my-deployment
  version: 0.0.1
  entrypoint: example.py:my_flow
  work_pool:
    name: my-work-pool
    job_variables:
      image: "my-registry/my-image@{{ $IMAGE_DIGEST }}"
`;
