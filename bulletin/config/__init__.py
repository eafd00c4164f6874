"""Settings: config.yaml read into typed values, every problem reported at once."""
