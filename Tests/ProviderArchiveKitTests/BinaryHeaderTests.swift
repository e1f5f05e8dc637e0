import Testing

@testable import ProviderArchiveKit

/// SPEC §3's header reader on crafted first bytes (the CLI tests judge real Go cross builds of every kind).
@Suite("Binary headers")
struct BinaryHeaderTests {
    static func elf(machine: UInt16, osABI: UInt8 = 0, type: UInt16 = 2, bigEndian: Bool = false) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: 64)
        bytes[0...3] = [0x7F, 0x45, 0x4C, 0x46]
        bytes[4] = 2
        bytes[5] = bigEndian ? 2 : 1
        bytes[7] = osABI
        func put(_ value: UInt16, at offset: Int) {
            let (high, low) = (UInt8(value >> 8), UInt8(value & 0xFF))
            bytes[offset] = bigEndian ? high : low
            bytes[offset + 1] = bigEndian ? low : high
        }
        put(type, at: 16)
        put(machine, at: 18)
        return bytes
    }

    static func machO(cpu: UInt32, fileType: UInt32 = 2) -> [UInt8] {
        var bytes: [UInt8] = [0xCF, 0xFA, 0xED, 0xFE]
        for value in [cpu, 3, fileType] { bytes += (0..<4).map { UInt8((value >> (8 * $0)) & 0xFF) } }
        return bytes + [UInt8](repeating: 0, count: 16)
    }

    static func universal(_ cpus: [UInt32], count: UInt32? = nil) -> [UInt8] {
        func bigEndian(_ value: UInt32) -> [UInt8] { (0..<4).reversed().map { UInt8((value >> (8 * $0)) & 0xFF) } }
        var bytes: [UInt8] = [0xCA, 0xFE, 0xBA, 0xBE] + bigEndian(count ?? UInt32(cpus.count))
        for cpu in cpus { bytes += bigEndian(cpu) + bigEndian(3) + bigEndian(0x4000) + bigEndian(0x1000) + bigEndian(14) }
        return bytes
    }

    static func pe(machine: UInt16, characteristics: UInt16 = 0x0022, at offset: Int = 0x80) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: offset + 64)
        bytes[0] = 0x4D
        bytes[1] = 0x5A
        for n in 0..<4 { bytes[0x3C + n] = UInt8((offset >> (8 * n)) & 0xFF) }
        bytes[offset...offset + 3] = [0x50, 0x45, 0, 0]
        bytes[offset + 4] = UInt8(machine & 0xFF)
        bytes[offset + 5] = UInt8(machine >> 8)
        bytes[offset + 22] = UInt8(characteristics & 0xFF)
        bytes[offset + 23] = UInt8(characteristics >> 8)
        return bytes
    }

    @Test(arguments: [
        (elf(machine: 62), ["x86_64-linux"]),
        (elf(machine: 183), ["aarch64-linux"]),
        (elf(machine: 40), ["arm-linux"]),
        (elf(machine: 243), ["riscv64-linux"]),
        (elf(machine: 62, type: 3), ["x86_64-linux"]),
        (elf(machine: 62, osABI: 9), ["x86_64-freebsd"]),
        (elf(machine: 21, bigEndian: true), ["powerpc64-linux"]),
        (machO(cpu: 0x0100_0007), ["x86_64-macos"]),
        (machO(cpu: 0x0100_000C), ["aarch64-macos"]),
        (universal([0x0100_0007, 0x0100_000C]), ["x86_64-macos", "aarch64-macos"]),
        (pe(machine: 0x8664), ["x86_64-windows"]),
        (pe(machine: 0xAA64), ["aarch64-windows"]),
    ])
    func namesTheTargets(bytes: [UInt8], expected: [String]) throws {
        let header = try #require(BinaryHeader(prefix: bytes))
        #expect(header.targetNames.map(\.rawValue) == expected)
        #expect(header.isExecutable)
    }

    @Test(arguments: [
        Array("#!/bin/sh\necho hi\n".utf8),
        [],
        [0x7F, 0x45, 0x4C],
        // A Java class file shares the universal magic; its version makes the architecture count 52.
        [0xCA, 0xFE, 0xBA, 0xBE, 0x00, 0x00, 0x00, 0x34] + [UInt8](repeating: 0, count: 64),
        // MZ without a PE header where e_lfanew points, or pointing past the bytes given.
        Array(pe(machine: 0x8664).prefix(0x80)),
        [0x4D, 0x5A] + [UInt8](repeating: 0xFF, count: 0x50),
        // A universal header announcing more slices than it holds.
        universal([0x0100_0007], count: 5),
    ])
    func recognisesNoExecutableInOtherBytes(bytes: [UInt8]) {
        #expect(BinaryHeader(prefix: bytes) == nil)
    }

    @Test func objectFilesLibrariesAndDLLsAreNotExecutables() throws {
        #expect(try #require(BinaryHeader(prefix: Self.elf(machine: 62, type: 1))).isExecutable == false)
        #expect(try #require(BinaryHeader(prefix: Self.machO(cpu: 0x0100_000C, fileType: 6))).isExecutable == false)
        #expect(try #require(BinaryHeader(prefix: Self.pe(machine: 0x8664, characteristics: 0x2022))).isExecutable == false)
    }

    @Test func unknownMachinesAreShownAndNameNoTarget() throws {
        let header = try #require(BinaryHeader(prefix: Self.elf(machine: 0x1234)))
        #expect(header.architectures == ["machine 0x1234"])
        #expect(header.targetNames.isEmpty)
        #expect(TargetCheck(header: header, target: try TargetName("x86_64-linux")) == .contradicts(header))
    }

    @Test func judgesTargetNamesAgainstHeaders() throws {
        let arm = try #require(BinaryHeader(prefix: Self.elf(machine: 183)))
        let fat = try #require(BinaryHeader(prefix: Self.universal([0x0100_0007, 0x0100_000C])))
        let pe = try #require(BinaryHeader(prefix: Self.pe(machine: 0x8664)))
        #expect(TargetCheck(header: arm, target: try TargetName("aarch64-linux")) == .agrees)
        #expect(TargetCheck(header: arm, target: try TargetName("x86_64-linux")) == .contradicts(arm))
        #expect(TargetCheck(header: arm, target: try TargetName("aarch64-macos")) == .contradicts(arm))
        #expect(TargetCheck(header: fat, target: try TargetName("aarch64-macos")) == .agrees)
        #expect(TargetCheck(header: fat, target: try TargetName("x86_64-macos")) == .agrees)
        #expect(TargetCheck(header: pe, target: try TargetName("aarch64-linux")) == .contradicts(pe))
        // Names a header cannot confirm are let through (with a warning at the workflow level).
        #expect(TargetCheck(header: arm, target: try TargetName("mips64-android")) == .unverifiableName(arm))
        #expect(TargetCheck(header: arm, target: try TargetName("aarch64-linux-musl")) == .unverifiableName(arm))
        #expect(TargetCheck(header: nil, target: try TargetName("x86_64-linux")) == .notAnExecutable(nil))
    }

    @Test func messagesNameBothTheHeaderAndTheTarget() throws {
        let arm = try #require(BinaryHeader(prefix: Self.elf(machine: 183)))
        let error = ProviderArchiveError.binaryContradictsTarget(path: "/tmp/p", target: "x86_64-linux", header: arm)
        #expect(error.description == "\"/tmp/p\" is an ELF executable for aarch64-linux, not x86_64-linux: a host would fail to start it; label it -a aarch64-linux, or give the binary built for x86_64-linux")
    }
}
