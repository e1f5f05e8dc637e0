import Foundation
import ProviderArchiveKit
import TOMLLite

extension Toolchain {
    /// The rustc that goes with the cargo being run: `RUSTC` when set, else `rustc` beside a configured cargo
    /// path when there is one, else `rustc` on `PATH`.
    func rustcProgram(cargoPath: String?) -> ToolProgram {
        if let rustc = environment["RUSTC"], !rustc.isEmpty {
            return ToolProgram(name: "rustc", configuredPath: rustc, install: "install Rust (https://rustup.rs)", key: "RUSTC")
        }
        if let cargoPath, cargoPath.contains("/") {
            let sibling = URL(fileURLWithPath: cargoPath).deletingLastPathComponent().appendingPathComponent("rustc")
            if FileManager.default.isExecutableFile(atPath: sibling.path) {
                return ToolProgram(name: "rustc", configuredPath: sibling.path, install: "install Rust (https://rustup.rs)", key: "[rust] cargo_path")
            }
        }
        return ToolProgram(name: "rustc", configuredPath: nil, install: "install Rust (https://rustup.rs)", key: "RUSTC")
    }

    /// Checks, before a long compile, that the standard library for `triple` is installed: `rustc --print
    /// target-libdir --target TRIPLE` names a directory holding `libstd-*`.
    /// - Throws: `BuildError.rustTargetNotInstalled` with the `rustup target add` line, or `.toolFailed` when
    ///   rustc does not know the triple.
    func requireRustStandardLibrary(triple: String, settings: RustBuildSettings) async throws(BuildError) {
        let printed = try await query(
            rustcProgram(cargoPath: settings.cargoPath), ["--print", "target-libdir", "--target", triple],
            in: settings.projectDirectory)
        let directory = String(decoding: printed, as: UTF8.self).split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }.last { !$0.isEmpty } ?? ""
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        guard files.contains(where: { $0.hasPrefix("libstd-") }) else {
            let target = TargetName(rustTriple: triple)?.rawValue ?? triple
            throw .rustTargetNotInstalled(triple: triple, target: target, libraryDirectory: directory)
        }
    }

    /// `CARGO_TARGET_<TRIPLE>_LINKER=<arch>-linux-gnu-gcc` for a Linux triple of another architecture than the
    /// host's when that compiler is on `PATH` and no linker is configured — neither in the environment nor in a
    /// `.cargo/config.toml` cargo would read; otherwise nothing.
    func crossLinker(triple: String, projectDirectory: URL) -> [String: String] {
        let parts = triple.split(separator: "-").map(String.init)
        guard parts.contains("linux"), let target = TargetName(rustTriple: triple),
            let arch = target.rawValue.split(separator: "-").first.map(String.init),
            TargetName.host.rawValue.split(separator: "-").first.map(String.init) != arch
        else { return [:] }
        let variable = "CARGO_TARGET_" + triple.uppercased().map { $0.isLetter || $0.isNumber ? String($0) : "_" }.joined() + "_LINKER"
        guard environment[variable] == nil, !cargoConfigNamesLinker(for: triple, from: projectDirectory) else { return [:] }
        let gcc = arch == "arm" ? "arm-linux-gnueabihf-gcc" : "\(arch)-linux-gnu-gcc"
        guard SystemCommandRunner.locate(gcc, environment: environment) != nil else { return [:] }
        return [variable: gcc]
    }

    /// Whether a cargo configuration file cargo would read for `directory` sets `target.<triple>.linker`: the
    /// `.cargo/config.toml` (or `config`) of the directory and each parent, and of `CARGO_HOME` (`~/.cargo`).
    func cargoConfigNamesLinker(for triple: String, from directory: URL) -> Bool {
        var directories: [URL] = []
        var current = directory.standardizedFileURL
        while true {
            directories.append(current.appendingPathComponent(".cargo"))
            let parent = current.deletingLastPathComponent()
            if parent.path == current.path { break }
            current = parent
        }
        if let home = environment["CARGO_HOME"] ?? environment["HOME"].map({ $0 + "/.cargo" }) {
            directories.append(URL(fileURLWithPath: home))
        }
        for candidate in directories {
            for name in ["config.toml", "config"] {
                let file = candidate.appendingPathComponent(name)
                guard let data = FileManager.default.contents(atPath: file.path),
                    let table = try? TOMLTable(parsing: Array(data), fileName: file.path),
                    case .table(let targets)? = table["target"], case .table(let settings)? = targets[triple]
                else { continue }
                if settings["linker"] != nil { return true }
            }
        }
        return false
    }
}
