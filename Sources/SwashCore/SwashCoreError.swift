import Foundation
import NKeys

/// Failures of swash's workflows. Messages say what happened, where, and what to do; they never contain seeds.
public enum SwashCoreError: Error, CustomStringConvertible, LocalizedError {
    /// A key file exists but could not be read.
    case keyFileUnreadable(path: String, reason: String)
    /// A key file holds something that is not a valid seed of the needed type.
    case invalidKeyFile(path: String, NKeysError)
    /// A needed key file is missing and key generation is disabled.
    case keyMissing(path: String, type: KeyType, flags: String)
    /// A key could not be written to the key directory.
    case keyWriteFailed(path: String, reason: String)
    /// The key directory could not be created or listed.
    case keysDirectoryUnusable(path: String, reason: String)
    /// A key given by flag or environment variable is neither a seed file nor a valid seed.
    case invalidKeyValue(source: String, shown: String?, NKeysError)
    /// `keys get NAME` found no `<dir>/NAME.nk` nor `<dir>/NAME`.
    case keyNotFound(name: String, directory: String)
    /// A toolchain program (`cargo`, `swift`, `go`) is not on `PATH`, or not at its configured path.
    /// `advice` says how to get it or where to configure it.
    case toolNotFound(tool: String, configuredPath: String?, advice: String)
    /// A command could not be started, or its output could not be read.
    case toolLaunchFailed(command: String, reason: String)
    /// A command ran and ended unsuccessfully; `outputTail` holds the last lines of its output.
    case toolFailed(command: String, directory: String, exit: CommandExit, outputTail: [String])
    /// A command succeeded but its machine-readable output (`cargo metadata`, `swift package dump-package`,
    /// `--show-bin-path`) is not what swash expected.
    case toolOutputUnreadable(command: String, reason: String)
    /// No binary to package could be chosen: the project has no executable, or several and none was named.
    case executableUndetermined(language: String, directory: String, candidates: [String], advice: String)
    /// The build succeeded but the binary is not where the toolchain's own settings say it is.
    case builtBinaryMissing(command: String, path: String, advice: String)
    /// A directory or file swash writes build output to could not be created or moved into place.
    case buildOutputUnusable(path: String, reason: String)
    /// A configured target triple (`rust_target`, `[swift] triple`, `GOOS/GOARCH`) maps to no target name.
    case unknownTargetTriple(String, key: String)
    /// `swash new`: the project name breaks a rule (`reason` says which).
    case invalidProjectName(String, reason: String)
    /// `swash new`: the project's directory (or a file of that name) already exists.
    case projectExists(path: String)
    /// `swash new`: the project could not be written (`path` is where it failed).
    case projectWriteFailed(path: String, reason: String)
    /// `swash new --swash-path`: the directory holds no Package.swift.
    case swashCheckoutNotFound(path: String)
    /// A template shipped inside swash cannot be rendered (a bug in swash: the embedded copy is broken).
    case templateInvalid(template: String, file: String, reason: String)

    // OCI registries (push, pull, inspect REF).

    /// An OCI reference that cannot be parsed (`registry/repository[:tag][@sha256:…]`).
    case invalidReference(String, reason: String)
    /// `push` to tag `latest`, or to a reference without a tag, without `--allow-latest`.
    case latestTagRefused(reference: String)
    /// A flag value that cannot be used (an annotation without `=`, a malformed `--digest`, half a credential pair).
    case invalidRegistryOption(option: String, reason: String)
    /// A local file that push or pull needs could not be read.
    case fileUnreadable(path: String, reason: String)
    /// A file that push, pull or the inspection cache writes could not be written.
    case fileWriteFailed(path: String, reason: String)
    /// The file is not a provider archive (validation before push, after pull).
    case invalidArchive(path: String, reason: String)
    /// Nothing usable answered at the registry's address.
    case registryUnreachable(registry: String, reason: String, overHTTPS: Bool)
    /// The registry refused the credentials, or asked for some and none were given (401/403).
    case registryAuthenticationFailed(registry: String, realm: String?, status: Int, hadCredentials: Bool)
    /// The tag or digest does not exist in the repository (404).
    case manifestNotFound(reference: String)
    /// The registry answered something the distribution protocol does not allow at that point.
    case registryRequestFailed(registry: String, request: String, status: Int, detail: String)
    /// The manifest exists but does not describe a provider archive.
    case notAProviderArchive(reference: String, found: String)
    /// Downloaded or announced bytes do not have the digest they should.
    case digestMismatch(what: String, expected: String, actual: String)
    /// A transfer stopped before all its bytes arrived.
    case transferInterrupted(what: String, received: Int64, expected: Int64?, reason: String)

    public var description: String {
        switch self {
        case .keyFileUnreadable(let path, let reason):
            return "cannot read key file \"\(path)\": \(reason)"
        case .invalidKeyFile(let path, let error):
            return "key file \"\(path)\" is not usable: \(error). Fix or remove the file, or supply another key"
        case .keyMissing(let path, let type, let flags):
            return "no \(type) key at \"\(path)\" and key generation is disabled (--disable-keygen); supply one with \(flags), or drop --disable-keygen to generate it"
        case .keyWriteFailed(let path, let reason):
            return "cannot write key file \"\(path)\": \(reason)"
        case .keysDirectoryUnusable(let path, let reason):
            return "cannot use keys directory \"\(path)\": \(reason); choose another with --keys-directory or WASH_KEYS"
        case .invalidKeyValue(let source, let shown, let error):
            let what = shown.map { "\"\($0)\" is neither an existing file nor a valid seed" }
                ?? "the value is not an existing file, and as a seed it is invalid"
            return "\(source): \(what): \(error)"
        case .keyNotFound(let name, let directory):
            return "no key named \"\(name)\" in \"\(directory)\" (looked for \(name).nk and \(name)); run `swash keys list` to see the keys there"
        case .toolNotFound(let tool, let configuredPath, let advice):
            let place = configuredPath.map { "at \"\($0)\"" } ?? "on PATH"
            return "\(tool) not found \(place); \(advice)"
        case .toolLaunchFailed(let command, let reason):
            return "cannot run `\(command)`: \(reason)"
        case .toolFailed(let command, let directory, let exit, let outputTail):
            let heading = "`\(command)` failed (\(exit)) in \"\(directory)\""
            guard !outputTail.isEmpty else { return heading + " without any output" }
            let lines = outputTail.map { "    " + $0 }.joined(separator: "\n")
            let which = outputTail.count == 1 ? "line" : "\(outputTail.count) lines"
            return heading + "; the last \(which) of its output:\n" + lines
        case .toolOutputUnreadable(let command, let reason):
            return "cannot understand the output of `\(command)`: \(reason)"
        case .executableUndetermined(let language, let directory, let candidates, let advice):
            let what = candidates.isEmpty
                ? "found no executable to build"
                : "found several executables (\(candidates.joined(separator: ", ")))"
            return "\(what) in the \(language) project \"\(directory)\"; \(advice)"
        case .builtBinaryMissing(let command, let path, let advice):
            return "`\(command)` succeeded but the binary is not at \"\(path)\"; \(advice)"
        case .buildOutputUnusable(let path, let reason):
            return "cannot write build output \"\(path)\": \(reason)"
        case .unknownTargetTriple(let triple, let key):
            return "\(key) \"\(triple)\" is not a target triple swash can name (expected <arch>-<vendor>-<os>[-<env>], e.g. x86_64-unknown-linux-gnu or aarch64-apple-darwin); fix the value, or package the binary with `swash par create -a <arch>-<os>`"
        case .invalidReference(let reference, let reason):
            return "invalid OCI reference \"\(reference)\": \(reason); expected registry/repository:tag, e.g. localhost:5000/providers/http:0.1.0"
        case .latestTagRefused(let reference):
            return "refusing to push \"\(reference)\" as tag latest: name a version tag (e.g. :0.1.0), or pass --allow-latest"
        case .invalidRegistryOption(let option, let reason):
            return "\(option): \(reason)"
        case .fileUnreadable(let path, let reason):
            return "cannot read \"\(path)\": \(reason)"
        case .fileWriteFailed(let path, let reason):
            return "cannot write \"\(path)\": \(reason); check the directory exists and is writable, or choose another with --destination"
        case .invalidArchive(let path, let reason):
            return "\"\(path)\" is not a valid provider archive: \(reason)"
        case .registryUnreachable(let registry, let reason, let overHTTPS):
            let hint = overHTTPS
                ? "; if \(registry) serves plain HTTP (a local registry, say), add --insecure"
                : "; check the address and that the registry is running"
            return "cannot reach registry \(registry): \(reason)\(hint)"
        case .registryAuthenticationFailed(let registry, let realm, let status, let hadCredentials):
            let realmText = realm.map { " (realm \"\($0)\")" } ?? ""
            let what = status == 403 ? "denied access" : hadCredentials ? "rejected the credentials" : "requires authentication"
            let hint = hadCredentials
                ? "check the user name and password (and their rights on this repository)"
                : "give credentials with -u/-p or WASH_REG_USER/WASH_REG_PASSWORD"
            return "registry \(registry)\(realmText) \(what) (HTTP \(status)); \(hint)"
        case .manifestNotFound(let reference):
            return "\(reference) not found: the registry has no such tag or digest; check the reference (and push it first)"
        case .registryRequestFailed(let registry, let request, let status, let detail):
            return "registry \(registry) answered HTTP \(status) to \(request)\(detail.isEmpty ? "" : ": \(detail)")"
        case .notAProviderArchive(let reference, let found):
            return "\(reference) is not a wasmCloud provider archive: it is \(found); pull it with a tool for that kind of artifact"
        case .digestMismatch(let what, let expected, let actual):
            return "digest mismatch for \(what): expected \(expected), got \(actual); nothing was written"
        case .transferInterrupted(let what, let received, let expected, let reason):
            let of = expected.map { " of \($0)" } ?? ""
            return "transfer of \(what) was interrupted after \(received)\(of) bytes: \(reason); nothing was written, try again"
        case .invalidProjectName(let name, let reason):
            return "\"\(name)\" cannot name a project: \(reason); choose another name (letters, digits, '-' and '_', starting with a letter)"
        case .projectExists(let path):
            return "\"\(path)\" already exists; choose another name or --path, or remove it first (swash new never overwrites)"
        case .projectWriteFailed(let path, let reason):
            return "cannot create the project at \"\(path)\": \(reason)"
        case .swashCheckoutNotFound(let path):
            return "--swash-path \"\(path)\" holds no Package.swift; give the directory of a swash checkout"
        case .templateInvalid(let template, let file, let reason):
            return "the \(template) template's \(file) cannot be rendered: \(reason); this is a bug in swash (run Scripts/embed-templates and rebuild)"
        }
    }

    public var errorDescription: String? { description }
}
