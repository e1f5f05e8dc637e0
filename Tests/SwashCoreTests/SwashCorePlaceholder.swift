// Tests for SwashCore live in this folder.
