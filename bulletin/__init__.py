"""bulletin: automated weekly news bulletins on AI token-usage statistics."""

__version__ = "0.1.0"
