import Foundation
import ProviderArchiveKit

/// How each language's toolchain builds for a named target (SPEC §7).
enum BuildTargets {
    /// `GOOS`/`GOARCH` for a target, and `CGO_ENABLED=0` for a cross target unless the environment sets it.
    /// - Throws: `BuildError.unsupportedTarget` for an architecture or OS Go is not told about here.
    static func goEnvironment(_ target: TargetName, environment: [String: String]) throws(BuildError) -> [String: String] {
        let (arch, os) = parts(target)
        let goArch = ["x86_64": "amd64", "aarch64": "arm64", "arm": "arm", "riscv64": "riscv64", "x86": "386"][arch]
        let goOS = ["linux": "linux", "macos": "darwin", "windows": "windows", "freebsd": "freebsd"][os]
        guard let goArch, let goOS else {
            throw .unsupportedTarget(
                target: target.rawValue, language: "Go",
                advice: "targets are <x86_64|aarch64|arm|riscv64|x86>-<linux|macos|windows|freebsd>; build other platforms with GOOS/GOARCH yourself and add the binary with `swash par insert -a \(target)`")
        }
        var variables = ["GOOS": goOS, "GOARCH": goArch]
        if target != TargetName.host, environment["CGO_ENABLED"] == nil { variables["CGO_ENABLED"] = "0" }
        return variables
    }

    /// The Rust triple for a target: `[rust] targets` when it names one, else SPEC §7's default.
    /// - Throws: `BuildError.unsupportedTarget` when there is neither.
    static func rustTriple(_ target: TargetName, overrides: [String: String]) throws(BuildError) -> String {
        if let triple = overrides[target.rawValue] { return triple }
        #if os(Windows)
            let windows = "pc-windows-msvc"
        #else
            let windows = "pc-windows-gnu"
        #endif
        let defaults = [
            "x86_64-linux": "x86_64-unknown-linux-gnu", "aarch64-linux": "aarch64-unknown-linux-gnu",
            "arm-linux": "armv7-unknown-linux-gnueabihf", "riscv64-linux": "riscv64gc-unknown-linux-gnu",
            "x86_64-macos": "x86_64-apple-darwin", "aarch64-macos": "aarch64-apple-darwin",
            "x86_64-windows": "x86_64-\(windows)", "aarch64-windows": "aarch64-pc-windows-msvc",
        ]
        guard let triple = defaults[target.rawValue] else {
            throw .unsupportedTarget(
                target: target.rawValue, language: "Rust",
                advice: "name its triple in wasmcloud.toml: [rust] targets = { \"\(target)\" = \"<triple>\" }")
        }
        return triple
    }

    /// The `<arch>` and `<os>` halves of a target name.
    static func parts(_ target: TargetName) -> (arch: String, os: String) {
        let halves = target.rawValue.split(separator: "-", maxSplits: 1).map(String.init)
        return (halves[0], halves.count > 1 ? halves[1] : "")
    }
}

extension Toolchain {
    /// How `swift build` is told to build for a target: `[swift] sdks` when it names an SDK; nothing for the
    /// host; `--triple` for the other Mac architecture on a Mac; else the installed SDK whose id names the target
    /// (`swift sdk list`), or the Static Linux SDK's `<arch>-swift-linux-musl` for a Linux target.
    /// - Throws: `BuildError.swiftSDKMissing` naming `swift sdk install`, or the errors of running swift.
    func swiftTarget(_ target: TargetName, configured: [String: String], swiftPath: String?, in directory: URL)
        async throws(BuildError) -> (sdk: String?, triple: String?)
    {
        if let sdk = configured[target.rawValue] { return (sdk, nil) }
        if target == TargetName.host { return (nil, nil) }
        let (arch, os) = BuildTargets.parts(target)
        #if os(macOS)
            if os == "macos" { return (nil, "\(arch == "aarch64" ? "arm64" : arch)-apple-macosx") }
        #endif
        let listed = try await query(.swift(swiftPath), ["sdk", "list"], in: directory)
        let ids = String(decoding: listed, as: UTF8.self).split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && !$0.contains(" ") }
        if let id = ids.first(where: { TargetName(rustTriple: $0) == target }) { return (id, nil) }
        if os == "linux", ["x86_64", "aarch64"].contains(arch), ids.contains(where: { $0.contains("static-linux") }) {
            return ("\(arch)-swift-linux-musl", nil)
        }
        throw .swiftSDKMissing(target: target.rawValue, installed: ids)
    }
}

/// A reporter that marks one target's phases and output lines in a build of several: the status line and phase
/// titles read `target 2/5 aarch64-linux: compiling with go`, tool lines `[aarch64-linux] …`.
struct TargetReporter: ProgressReporter {
    var base: any ProgressReporter
    var target: TargetName
    var index: Int
    var count: Int

    private var title: String { "target \(index)/\(count) \(target)" }
    func notice(_ text: String) { base.notice(text) }
    func beginPhase(_ phase: String) { base.beginPhase("\(title): \(phase)") }
    func phaseOutput(_ line: String) { base.phaseOutput("[\(target)] \(line)") }
    func endPhase(title phase: String, done: String, succeeded: Bool) {
        base.endPhase(title: "\(title): \(phase)", done: "\(target): \(done)", succeeded: succeeded)
    }
}
