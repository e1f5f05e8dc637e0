// Tests for TOMLLite live in this folder.
