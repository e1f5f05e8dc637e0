import Foundation
import SwashTestSupport
import Testing

/// What the Makefile's targets would run (`make -n`, which runs nothing): `make demo` installs only what building
/// swash needs, never the test packages (a registry server, skopeo, cross toolchains).
@Suite("Makefile")
struct MakefileTests {
    static func dryRun(_ target: String) throws -> CommandResult {
        try runProcess(
            URL(fileURLWithPath: "/usr/bin/env"), ["make", "-n", "--no-print-directory", target],
            environment: ProcessInfo.processInfo.environment, in: PackageRoot.url)
    }

    @Test func demoInstallsNoTestPackages() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/make") else { return }
        let demo = try Self.dryRun("demo")
        #expect(demo.status == 0, "\(demo.stderr)")
        #expect(demo.stdout.contains("Scripts/install-deps"), "demo installs the build packages")
        #expect(demo.stdout.contains("Scripts/demo"))
        let test = try Self.dryRun("test")
        #expect(test.status == 0, "\(test.stderr)")
        for package in ["docker-registry", "skopeo", "apache2-utils", "golang-go", "qemu-user-static", "man-db"] {
            #expect(!demo.stdout.contains(package), "make demo would install \(package)")
            #expect(test.stdout.contains(package), "make test installs \(package)")
        }
    }
}
