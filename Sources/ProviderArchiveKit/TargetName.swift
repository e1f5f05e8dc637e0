internal import FileIO

/// A target name such as `x86_64-linux`: `<arch>-<os>` as Rust spells them (SPEC §3).
///
/// Any other text is allowed if it is a single safe path component and not `claims` or `world`
/// (the names the archive reserves for the token and the WIT package).
public struct TargetName: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The name, as written in `target_hashes` and as `<name>.bin`.
    public let rawValue: String

    /// Validates a target name.
    /// - Throws: `ProviderArchiveError.invalidTargetName` saying what is wrong.
    public init(_ name: String) throws(ProviderArchiveError) {
        if let reason = Self.problem(with: name) { throw .invalidTargetName(name, reason: reason) }
        rawValue = name
    }

    /// Why swash would not write this name into a new archive, or `nil`: names swash writes are portable —
    /// ASCII letters, digits, `_`, `-` and `.` only (SPEC §3) — while archives made elsewhere may hold others, which
    /// reading accepts.
    public var unportableReason: String? {
        PortableName.firstUnportable(in: rawValue).map { "it contains \($0); use only ASCII letters, digits, '_', '-' and '.'" }
    }

    /// The archive entry that holds this target's binary.
    public var entryName: String { rawValue + ".bin" }

    public var description: String { rawValue }

    public static func < (lhs: TargetName, rhs: TargetName) -> Bool {
        Array(lhs.rawValue.utf8).lexicographicallyPrecedes(Array(rhs.rawValue.utf8))
    }

    /// The target this machine builds for by default (`x86_64-linux` on x86-64 Linux).
    public static let host: TargetName = {
        #if arch(x86_64)
            let arch = "x86_64"
        #elseif arch(arm64)
            let arch = "aarch64"
        #elseif arch(arm)
            let arch = "arm"
        #elseif arch(riscv64)
            let arch = "riscv64"
        #elseif arch(i386)
            let arch = "x86"
        #elseif arch(powerpc64le)
            let arch = "powerpc64"
        #elseif arch(s390x)
            let arch = "s390x"
        #else
            let arch = "unknown"
        #endif
        #if os(Linux)
            let os = "linux"
        #elseif os(macOS)
            let os = "macos"
        #elseif os(Windows)
            let os = "windows"
        #elseif os(FreeBSD)
            let os = "freebsd"
        #else
            let os = "unknown"
        #endif
        return try! TargetName("\(arch)-\(os)")
    }()

    /// The target name for a Rust (or Swift/LLVM) target triple, e.g. `x86_64-unknown-linux-gnu` →
    /// `x86_64-linux`, `aarch64-apple-darwin` → `aarch64-macos`, `armv7-unknown-linux-gnueabihf` → `arm-linux`.
    /// - Returns: `nil` when the architecture or operating system is not recognised.
    public init?(rustTriple triple: String) {
        let parts = triple.lowercased().split(separator: "-").map(String.init)
        guard parts.count >= 2, let arch = Self.architecture(parts[0]),
            let os = Self.operatingSystem(parts.dropFirst())
        else { return nil }
        try? self.init("\(arch)-\(os)")
    }

    static func architecture(_ text: String) -> String? {
        switch text {
        case "x86_64", "amd64": return "x86_64"
        case "aarch64", "arm64", "arm64e": return "aarch64"
        case "i386", "i586", "i686", "x86": return "x86"
        case "powerpc64le", "powerpc64", "ppc64le": return "powerpc64"
        case "s390x", "loongarch64", "mips", "mips64", "sparc64", "wasm32", "wasm64", "powerpc": return text
        case "mipsel": return "mips"
        case "mips64el": return "mips64"
        default:
            if text.hasPrefix("riscv64") { return "riscv64" }
            if text.hasPrefix("riscv32") { return "riscv32" }
            if text.hasPrefix("armv") || text == "arm" || text.hasPrefix("thumbv") { return "arm" }
            return nil
        }
    }

    static func operatingSystem(_ parts: ArraySlice<String>) -> String? {
        for part in parts {
            if part == "darwin" || part.hasPrefix("macos") { return "macos" }
            if part.hasPrefix("ios") { return "ios" }
            if part == "android" || part.hasPrefix("androideabi") { return "android" }
        }
        for part in parts {
            switch part {
            case "linux": return "linux"
            case "windows": return "windows"
            case "wasi", "wasip1", "wasip2": return "wasi"
            default:
                for os in ["freebsd", "netbsd", "openbsd", "dragonfly", "solaris", "illumos"] where part.hasPrefix(os) {
                    return os
                }
            }
        }
        return nil
    }

    /// Why `name` cannot be a target name, or `nil` when it can.
    static func problem(with name: String) -> String? {
        if name.isEmpty { return "it is empty" }
        if name == "claims" || name == "world" { return "\"\(name)\" is reserved for the archive's \(name == "claims" ? "claims token" : "WIT package")" }
        if let reason = EntryName.unsafeComponentReason(name) { return reason }
        if name.hasPrefix("-") { return "it starts with '-'" }
        if name.hasSuffix(".bin") { return "give the name without .bin" }
        if name.utf8.count > 200 { return "it is longer than 200 bytes" }
        return nil
    }
}

/// Rules for the names of archive entries.
enum EntryName {
    /// Why `path` could escape the directory it is extracted into, or `nil`.
    static func escapeReason(_ path: String) -> String? {
        if path.hasPrefix("/") { return "absolute path" }
        if path.split(separator: "/", omittingEmptySubsequences: false).contains("..") { return "'..' component" }
        return nil
    }

    /// Why `component` is not a single safe path component, or `nil`.
    static func unsafeComponentReason(_ component: String) -> String? {
        if component.isEmpty { return "empty name" }
        if let reason = escapeReason(component) { return reason }
        if component == "." { return "'.' is not a file name" }
        if component.contains("/") { return "nested path; entries must be at the archive root" }
        if component.contains("\\") { return "backslash" }
        if component.hasPrefix(".") { return "hidden file name" }
        if component.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F || (0x80..<0xA0).contains($0.value) }) {
            return "control character"
        }
        if component.count >= 2, component.dropFirst().first == ":", component.first?.isASCII == true,
            component.first?.isLetter == true
        {
            return "drive-letter path"
        }
        return nil
    }

    /// What an archive entry holds, classified by its file stem as wash does.
    enum Role: Equatable {
        case claims
        case world
        case target(String)
    }

    /// The stem of a file name: up to the last `.`, unless the only `.` is the first character.
    static func stem(_ name: String) -> String {
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return name }
        return String(name[..<dot])
    }

    static func role(of name: String) -> Role {
        switch stem(name) {
        case "claims": .claims
        case "world": .world
        case let stem: .target(stem)
        }
    }
}

extension TargetName: Codable {
    /// Decodes a target name from a string, validating it.
    /// - Throws: `DecodingError.dataCorrupted` when the string is not a usable target name.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do { try self.init(text) } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
        }
    }

    /// Encodes the name as a string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
