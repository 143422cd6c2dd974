"""The dependencies detector: manifests and lockfiles compared package by package."""

from app.detect.dependencies.detector import DependenciesDetector
from app.detect.dependencies.formats import dependency_file

__all__ = ["DependenciesDetector", "dependency_file"]
