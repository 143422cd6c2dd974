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
    description: >-
      Auth code, secrets, new runtime dependencies, and dependency versions with
      known vulnerabilities.
    reviewers: {teams: [security]}
    when:
      # auth paths and markers are low; MD5 for a cache key is info
      - detector: auth
        min_severity: low
      # sample keys and passwords in tests and docs are low: shown, not a ping
      - detector: secrets
        min_severity: medium
      # a new publisher to trust: transitive and dev-only packages are a level
      # lower, so a direct runtime dependency calls security, a new linter does not
      - detector: dependencies
        changes: [added]
        min_severity: medium
      # a known vulnerability, whatever the change; an upgrade of a package already
      # trusted (a major too) is shown in the check and left to the code's owners
      - detector: dependencies
        min_severity: high
      # a new source, as much as a new package: a registry package now from a git
      # URL, an archive or another package's alias, a lockfile now fetching one from a
      # new host or as other code at its locked version, a registry or index that a
      # configuration file now names; and a third party's action at a
      # commit no tag names (nothing in the diff says what code it is, and a fork's
      # commit resolves under the action's name; GitHub's own are a level lower)
      - detector: dependencies
        rules: [dependency.source-changed, dependency.pin-moved]
        min_severity: medium
  sre:
    name: SRE
    description: CI/CD pipelines, deployment and infrastructure.
    reviewers: {teams: [sre]}
    when:
      - detector: infra
        min_severity: low
"""
