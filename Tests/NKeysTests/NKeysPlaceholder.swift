// Tests for NKeys live in this folder.
