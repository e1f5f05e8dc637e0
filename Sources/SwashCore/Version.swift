/// swash's version: the one place it is written. `swash --version` prints it, `make version` reads it from
/// this file for the release process, and a release tags the commit `v<version>`.
public enum SwashVersion {
    /// The version, `MAJOR.MINOR.PATCH`.
    public static let current = "0.2.0"
}
