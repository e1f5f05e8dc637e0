// Tests for SwashCLI live in this folder.
