"""Dependency manifests and lockfiles: parsing and version rules."""
