// The TOMLLite module. See ARCHITECTURE.md in the shared docs for what belongs here.
