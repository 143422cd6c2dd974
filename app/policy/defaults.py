"""The config used when a repository has none: useful with zero setup.

Team slugs are the conventional ones; a repository whose teams are named
otherwise writes its own `.github/release-roles.yml` (or `extends:` one).
"""

DEFAULT_CONFIG_YAML = """\
version: 1
roles:
  dba:
    description: Database changes - migrations and schema files.
    reviewers: {teams: [dba]}
    when:
      - detector: migrations
  security:
    description: Auth code, secrets, and new or majorly upgraded dependencies.
    reviewers: {teams: [security]}
    when:
      - detector: auth
      - detector: secrets
      - detector: dependencies
        changes: [added, major]
  sre:
    name: SRE
    description: CI/CD pipelines, deployment and infrastructure.
    reviewers: {teams: [sre]}
    when:
      - detector: infra
        min_severity: low
"""
