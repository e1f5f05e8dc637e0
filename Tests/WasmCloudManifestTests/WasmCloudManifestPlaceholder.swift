// Tests for WasmCloudManifest live in this folder.
