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
      # an existing migration only reformatted, or one in a test app, is info
      - detector: migrations
        min_severity: low
  security:
    description: Auth code, secrets, and new or majorly upgraded runtime dependencies.
    reviewers: {teams: [security]}
    when:
      # auth paths and markers are low; MD5 for a cache key is info
      - detector: auth
        min_severity: low
      # sample keys and passwords in tests and docs are low: shown, not a ping
      - detector: secrets
        min_severity: medium
      # transitive and dev-only packages are a level lower: a direct runtime
      # dependency added or majorly upgraded calls security, a new linter does not
      - detector: dependencies
        changes: [added, major]
        min_severity: medium
  sre:
    name: SRE
    description: CI/CD pipelines, deployment and infrastructure.
    reviewers: {teams: [sre]}
    when:
      - detector: infra
        min_severity: low
"""
