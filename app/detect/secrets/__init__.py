"""The secrets detector, and the redactor every output passes through."""

from app.detect.secrets.detector import SecretsDetector

__all__ = ["SecretsDetector"]
