// Tests for Wascap live in this folder.
