import Foundation
import SwashTestSupport
import Testing

/// Several architectures (SPEC §3 headers, §7): real Go cross builds of the example for five targets, the header
/// check in `par create`/`insert` on those real binaries, `par merge` of archives built in separate project copies,
/// and a real Rust cross build (Debian's rustc with its Windows standard library). Skipped, with a note, when go
/// (or the Debian Rust packages) are not installed; `make test` installs them.
@Suite("Several architectures (real toolchains)", .serialized)
struct MultiArchitectureTests {
    static let fiveTargets = ["x86_64-linux", "aarch64-linux", "x86_64-macos", "aarch64-macos", "x86_64-windows"]

    /// The toolchains' caches are the real ones, so the cross-compiled standard libraries are built once per machine.
    static let environment: [String: String] = {
        let env = ProcessInfo.processInfo.environment
        let realHome = env["HOME"] ?? NSHomeDirectory()
        return BuildCommandTests.toolchainEnvironment.merging([
            "GOCACHE": env["GOCACHE"] ?? "\(realHome)/.cache/go-build",
            "GOPATH": env["GOPATH"] ?? "\(realHome)/go",
            "GOFLAGS": "-mod=mod",
        ]) { $1 }
    }()

    func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "not JSON: \(text)")
    }

    /// Runs swash with the toolchain environment and `keys` as the key directory.
    func swash(_ arguments: [String], home: URL, keys: URL, in directory: URL? = nil) async throws -> CommandResult {
        try await runSwashAsync(
            arguments, home: home, extraEnvironment: Self.environment.merging(["WASH_KEYS": keys.path]) { $1 }, in: directory)
    }

    /// What the first bytes of a file say, checked here independently of swash's reader: format, machine, OS.
    static func header(of data: Data) -> String {
        let b = [UInt8](data.prefix(4096))
        func le16(_ at: Int) -> Int { Int(b[at]) | Int(b[at + 1]) << 8 }
        func le32(_ at: Int) -> Int { le16(at) | le16(at + 2) << 16 }
        if b.starts(with: [0x7F, 0x45, 0x4C, 0x46]) {
            return ["62": "x86_64", "183": "aarch64", "40": "arm"]["\(le16(18))", default: "?"] + "-linux"
        }
        if b.starts(with: [0xCF, 0xFA, 0xED, 0xFE]) {
            return [0x0100_0007: "x86_64", 0x0100_000C: "aarch64"][le32(4), default: "?"] + "-macos"
        }
        if b.starts(with: [0x4D, 0x5A]) {
            let pe = le32(0x3C)
            return [0x8664: "x86_64", 0xAA64: "aarch64"][le16(pe + 4), default: "?"] + "-windows"
        }
        return "unknown"
    }

    /// Extracts every member of an archive with the system's tar.
    static func extract(_ archive: URL) throws -> URL {
        let directory = try makeTemporaryDirectory("extracted")
        let result = try runProcess(
            URL(fileURLWithPath: "/bin/sh"), ["-c", "tar -xzf \"$0\" -C \"$1\"", archive.path, directory.path],
            environment: ProcessInfo.processInfo.environment)
        guard result.status == 0 else { throw TestSupportError("tar failed: \(result.stderr)") }
        return directory
    }

    /// `Tests/Scripts/verify_par.py` on an archive: its JSON, or `nil` (with a note) when Python lacks its packages.
    func independentlyVerified(_ archive: URL) async throws -> [String: Any]? {
        let check = try await runProcessAsync(
            URL(fileURLWithPath: "/usr/bin/env"),
            ["python3", PackageRoot.url.appendingPathComponent("Tests/Scripts/verify_par.py").path, archive.path],
            environment: ProcessInfo.processInfo.environment)
        if check.status == 3 || check.status == 127 {
            print("note: python3 with nkeys is not available; skipping the independent check (\(check.stderr))")
            return nil
        }
        #expect(check.status == 0, "\(check.stderr)")
        return try json(check.stdout)
    }

    func requireGo() -> Bool {
        guard BuildCommandTests.hasTool("go") else {
            print("note: go is not installed; skipping the cross builds (make test installs golang-go)")
            return false
        }
        return true
    }

    @Test func goBuildsFiveTargetsIntoOneArchiveWhoseHeadersMatchTheirNames() async throws {
        guard requireGo() else { return }
        let project = try BuildCommandTests.copyExample("go-provider")
        let home = try makeTemporaryDirectory("multi-home")
        let keys = home.appendingPathComponent("keys")
        let built = try await swash(
            ["build", "-p", project.path, "-o", "json"] + Self.fiveTargets.flatMap { ["--target", $0] }, home: home, keys: keys)
        #expect(built.status == 0, "\(built.stderr)")
        let object = try json(built.stdout)
        #expect(object["targets"] as? [String] == Self.fiveTargets.sorted())
        // Each target's phases are marked with it.
        #expect(built.stderr.contains("target 2/5 aarch64-linux: compiling with go"))

        let archive = project.appendingPathComponent("build/example-go-provider.par.gz")
        let members = try Self.extract(archive)
        for target in Self.fiveTargets {
            let binary = try Data(contentsOf: members.appendingPathComponent("\(target).bin"))
            #expect(Self.header(of: binary) == target, "\(target).bin")
        }
        // Only the archive is left in build/: the per-target binaries were temporary.
        #expect(try FileManager.default.contentsOfDirectory(atPath: project.appendingPathComponent("build").path) == ["example-go-provider.par.gz"])

        if let qemu = findProgram("qemu-aarch64-static") {
            let run = try await runProcessAsync(qemu, [members.appendingPathComponent("aarch64-linux.bin").path], environment: [:])
            #expect(run.status == 0, "the aarch64 binary under qemu: \(run.stderr)")
        } else {
            print("note: qemu-aarch64-static is not installed; not running the aarch64 binary")
        }
        if let verified = try await independentlyVerified(archive) {
            #expect(verified["targets"] as? [String] == Self.fiveTargets.sorted())
        }
    }

    @Test func providerTargetsInWasmcloudTomlBuildTheSame() async throws {
        guard requireGo() else { return }
        let project = try BuildCommandTests.copyExample("go-provider")
        let manifest = project.appendingPathComponent("wasmcloud.toml")
        var text = try String(contentsOf: manifest, encoding: .utf8)
        text = text.replacingOccurrences(
            of: "[provider]\n",
            with: "[provider]\ntargets = [\(Self.fiveTargets.map { "\"\($0)\"" }.joined(separator: ", "))]\n")
        try Data(text.utf8).write(to: manifest)
        let home = try makeTemporaryDirectory("multi-home")
        let built = try await swash(["build", "-p", project.path, "-o", "json"], home: home, keys: home.appendingPathComponent("keys"))
        #expect(built.status == 0, "\(built.stderr)")
        #expect(try json(built.stdout)["targets"] as? [String] == Self.fiveTargets.sorted())
        let inspected = try await swash(["inspect", project.appendingPathComponent("build/example-go-provider.par.gz").path, "-o", "json"], home: home, keys: home)
        #expect(try json(inspected.stdout)["targets"] as? [String] == Self.fiveTargets.sorted())
    }

    /// The five binaries of a Go cross build, extracted.
    func goBinaries(home: URL) async throws -> URL {
        let project = try BuildCommandTests.copyExample("go-provider")
        let built = try await swash(
            ["build", "-p", project.path] + Self.fiveTargets.flatMap { ["--target", $0] }, home: home, keys: home.appendingPathComponent("build-keys"))
        guard built.status == 0 else { throw TestSupportError("go cross build failed: \(built.stderr)") }
        return try Self.extract(project.appendingPathComponent("build/example-go-provider.par.gz"))
    }

    @Test func parCreateAndInsertJudgeRealBinariesByTheirHeaders() async throws {
        guard requireGo() else { return }
        let home = try makeTemporaryDirectory("header-home")
        let keys = home.appendingPathComponent("keys")
        let bins = try await goBinaries(home: home)
        func create(_ binary: String, _ extra: [String] = [], to name: String) async throws -> CommandResult {
            try await swash(
                ["par", "create", "-n", "P", "-v", "V", "-b", bins.appendingPathComponent(binary).path, "--destination", name, "-o", "json"] + extra,
                home: home, keys: keys)
        }
        // No -a: the header names the target.
        for (binary, expected) in [("aarch64-linux.bin", "aarch64-linux"), ("aarch64-macos.bin", "aarch64-macos"), ("x86_64-windows.bin", "x86_64-windows")] {
            let created = try await create(binary, to: "\(expected).par")
            #expect(created.status == 0, "\(created.stderr)")
            let inspected = try await swash(["inspect", "\(expected).par", "-o", "json"], home: home, keys: keys)
            #expect(try json(inspected.stdout)["targets"] as? [String] == [expected])
        }
        // A contradicting -a is refused and nothing is written.
        let wrong = try await create("aarch64-linux.bin", ["-a", "x86_64-linux"], to: "wrong.par")
        #expect(wrong.status == 1)
        #expect(try json(wrong.stderr)["error"] as? String == "\"\(bins.path)/aarch64-linux.bin\" is an ELF executable for aarch64-linux, not x86_64-linux: a host would fail to start it; label it -a aarch64-linux, or give the binary built for x86_64-linux")
        #expect(!FileManager.default.fileExists(atPath: home.appendingPathComponent("wrong.par").path))
        // A PE inserted as aarch64-linux is refused, the archive left byte-identical.
        let archive = home.appendingPathComponent("aarch64-linux.par")
        let before = try Data(contentsOf: archive)
        let insert = try await swash(
            ["par", "insert", archive.path, "-b", bins.appendingPathComponent("x86_64-windows.bin").path, "-a", "aarch64-linux"],
            home: home, keys: keys)
        #expect(insert.status == 1)
        #expect(insert.stderr.contains("is a PE executable for x86_64-windows, not aarch64-linux"), "\(insert.stderr)")
        #expect(try Data(contentsOf: archive) == before)
        // A text file under a name no header can confirm is accepted with a warning (wash's own tests do this).
        let text = home.appendingPathComponent("notes.txt")
        try Data("not a program\n".utf8).write(to: text)
        let odd = try await swash(
            ["par", "create", "-n", "P", "-v", "V", "-b", text.path, "-a", "mips64-android", "--destination", "odd.par"], home: home, keys: keys)
        #expect(odd.status == 0, "\(odd.stderr)")
        #expect(odd.stderr.contains("warning: \"\(text.path)\" is no recognised executable (ELF, Mach-O or PE); it is stored as mips64-android unchecked"))
    }

    @Test func mergeJoinsArchivesBuiltInSeparateCopiesAndRefusesConflicts() async throws {
        guard requireGo() else { return }
        let home = try makeTemporaryDirectory("merge-home")
        let keys = home.appendingPathComponent("keys")
        // Three "runners": separate project copies, each building its own target with the same keys.
        var inputs: [URL] = []
        for target in ["x86_64-linux", "aarch64-linux", "x86_64-windows"] {
            let project = try BuildCommandTests.copyExample("go-provider")
            let built = try await swash(["build", "-p", project.path, "--target", target], home: home, keys: keys)
            #expect(built.status == 0, "\(built.stderr)")
            inputs.append(project.appendingPathComponent("build/example-go-provider.par.gz"))
        }
        let merged = home.appendingPathComponent("merged.par.gz")
        let merge = try await swash(["par", "merge", "--destination", merged.path, "-o", "json"] + inputs.map(\.path), home: home, keys: keys)
        #expect(merge.status == 0, "\(merge.stderr)")
        #expect(try json(merge.stdout)["targets"] as? [String] == ["aarch64-linux", "x86_64-linux", "x86_64-windows"])
        if let verified = try await independentlyVerified(merged) {
            var expectedHashes: [String: String] = [:]
            for input in inputs {
                let one = try #require(try await independentlyVerified(input))
                #expect(one["iss"] as? String == verified["iss"] as? String)
                #expect(one["sub"] as? String == verified["sub"] as? String)
                #expect(one["name"] as? String == verified["name"] as? String)
                expectedHashes.merge(try #require(one["hashes"] as? [String: String])) { $1 }
            }
            #expect(verified["hashes"] as? [String: String] == expectedHashes)
        }

        // Two inputs with different aarch64-linux binaries: refused, naming the target, nothing written.
        let members = try Self.extract(inputs[1])
        let altered = home.appendingPathComponent("altered")
        var bytes = try Data(contentsOf: members.appendingPathComponent("aarch64-linux.bin"))
        bytes.append(0)
        try bytes.write(to: altered)
        let other = home.appendingPathComponent("other.par.gz")
        let created = try await swash(
            ["par", "create", "-n", "Example Go Provider", "-v", "swash", "--version", "0.1.0", "-r", "0", "-b", altered.path,
             "-a", "aarch64-linux", "--compress", "--destination", other.path, "-s", keys.appendingPathComponent("example-go-provider_service.nk").path],
            home: home, keys: keys)
        #expect(created.status == 0, "\(created.stderr)")
        let out = home.appendingPathComponent("conflict.par.gz")
        let conflict = try await swash(["par", "merge", "--destination", out.path, inputs[1].path, other.path], home: home, keys: keys)
        #expect(conflict.status == 1)
        #expect(conflict.stderr.contains("cannot merge: the inputs hold different binaries for target aarch64-linux"), "\(conflict.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out.path))

        // Different names: refused, naming the field, nothing written.
        let renamed = home.appendingPathComponent("renamed.par.gz")
        let another = try await swash(
            ["par", "create", "-n", "Another Name", "-v", "swash", "-b", altered.path, "--compress", "--destination", renamed.path],
            home: home, keys: keys)
        #expect(another.status == 0, "\(another.stderr)")
        let names = try await swash(["par", "merge", "--destination", out.path, inputs[0].path, renamed.path, "-o", "json"], home: home, keys: keys)
        #expect(names.status == 1)
        // Errors go to stderr, as JSON with -o json (as wash does).
        let error = try json(names.stderr)["error"] as? String ?? ""
        #expect(error.hasPrefix("cannot merge: the inputs disagree on name (\"\(inputs[0].path)\" has \"Example Go Provider\", \"\(renamed.path)\" has \"Another Name\")"), "\(error)")
        #expect(!FileManager.default.fileExists(atPath: out.path))
    }

    @Test func rustCrossBuildsForWindowsWithDebiansRustc() async throws {
        let cargo = URL(fileURLWithPath: "/usr/bin/cargo"), rustc = URL(fileURLWithPath: "/usr/bin/rustc")
        guard FileManager.default.isExecutableFile(atPath: cargo.path),
            FileManager.default.fileExists(atPath: "/usr/lib/rustlib/x86_64-pc-windows-gnu/lib"),
            findProgram("x86_64-w64-mingw32-gcc") != nil
        else {
            print("note: Debian's cargo, libstd-rust-dev-windows or gcc-mingw-w64-x86-64 is missing; skipping the Rust cross build")
            return
        }
        let project = try BuildCommandTests.copyExample("rust-provider")
        let manifest = project.appendingPathComponent("wasmcloud.toml")
        let text = try String(contentsOf: manifest, encoding: .utf8) + "\n[rust]\ncargo_path = \"\(cargo.path)\"\n"
        try Data(text.utf8).write(to: manifest)
        let home = try makeTemporaryDirectory("rust-cross-home")
        let built = try await runSwashAsync(
            ["build", "-p", project.path, "--target", "x86_64-windows", "--target", "x86_64-linux", "-o", "json"], home: home,
            extraEnvironment: [
                "RUSTC": rustc.path, "WASH_KEYS": home.appendingPathComponent("keys").path, "CARGO_NET_OFFLINE": "true",
                "CARGO_HOME": home.appendingPathComponent("cargo").path,
            ])
        #expect(built.status == 0, "\(built.stderr)")
        #expect(built.stderr.contains("Compiling example-rust-provider"))
        #expect(try json(built.stdout)["targets"] as? [String] == ["x86_64-linux", "x86_64-windows"])
        let members = try Self.extract(project.appendingPathComponent("build/example-rust-provider.par.gz"))
        #expect(Self.header(of: try Data(contentsOf: members.appendingPathComponent("x86_64-windows.bin"))) == "x86_64-windows")
        #expect(Self.header(of: try Data(contentsOf: members.appendingPathComponent("x86_64-linux.bin"))) == "x86_64-linux")
        // What cargo built is what was packaged.
        let exe = project.appendingPathComponent("target/x86_64-pc-windows-gnu/release/example-rust-provider.exe")
        #expect(try Data(contentsOf: exe) == Data(contentsOf: members.appendingPathComponent("x86_64-windows.bin")))
    }
}
