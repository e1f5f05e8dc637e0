// Tests for ProviderArchiveKit live in this folder.
