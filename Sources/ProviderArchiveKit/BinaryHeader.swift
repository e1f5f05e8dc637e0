/// What the first bytes of a binary say it is: ELF, Mach-O (thin or universal) or PE, for which architectures and
/// which operating system (SPEC §3, "Binary headers agree with target names").
///
/// A format-level reader: give it the file's first ``prefixLength`` bytes (fewer when the file is shorter). It reads
/// nothing else and never trusts an offset it cannot check against the bytes it was given.
public struct BinaryHeader: Sendable, Hashable, CustomStringConvertible {
    /// The executable formats recognised.
    public enum Format: String, Sendable, Hashable {
        case elf = "ELF"
        case machO = "Mach-O"
        case universalMachO = "universal Mach-O"
        case pe = "PE"
    }

    /// How many leading bytes the reader looks at; a PE header further in than this is not recognised.
    public static let prefixLength = 64 * 1024

    /// The format.
    public var format: Format
    /// The architectures, spelled as in target names (`x86_64`, `aarch64`, `arm`, `riscv64`, `x86`, …), or
    /// `machine 0x…` for one the reader does not name. A universal Mach-O file has several.
    public var architectures: [String]
    /// The operating system family, spelled as in target names: `linux`, `macos`, `windows`, or what an ELF
    /// file's `EI_OSABI` names (`freebsd`, `netbsd`, `openbsd`, `solaris`).
    public var operatingSystem: String
    /// Whether the file is a program (ELF executable or position-independent executable, Mach-O `MH_EXECUTE`, PE
    /// image that is not a DLL) rather than an object file, library or core dump.
    public var isExecutable: Bool

    public var description: String {
        let kind = isExecutable ? "executable" : "non-executable file"
        return "\(format.rawValue) \(kind) for \(architectures.joined(separator: " + "))-\(operatingSystem)"
    }

    /// The description with its indefinite article, for a sentence: `an ELF executable for …`, `a PE …`.
    public var withArticle: String { (format == .elf ? "an " : "a ") + description }

    /// The target names the header stands for (one per architecture the reader names).
    public var targetNames: [TargetName] {
        architectures.compactMap { $0.hasPrefix("machine ") ? nil : try? TargetName("\($0)-\(operatingSystem)") }
    }

    /// Reads a header from a file's first bytes.
    /// - Returns: `nil` when the bytes are no ELF, Mach-O or PE file (a script, text, data).
    public init?(prefix: some Collection<UInt8>) {
        let bytes = Array(prefix.prefix(Self.prefixLength))
        if let header = Self.elf(bytes) ?? Self.machO(bytes) ?? Self.universal(bytes) ?? Self.pe(bytes) {
            self = header
        } else {
            return nil
        }
    }

    init(format: Format, architectures: [String], operatingSystem: String, isExecutable: Bool) {
        self.format = format
        self.architectures = architectures
        self.operatingSystem = operatingSystem
        self.isExecutable = isExecutable
    }

    /// The architectures the reader can recognise in every format it knows (SPEC §3's list and its neighbours).
    static let namedArchitectures: Set<String> = ["x86_64", "aarch64", "arm", "riscv64", "x86"]
    /// The operating systems a header can tell apart.
    static let namedOperatingSystems: Set<String> = ["linux", "macos", "windows", "freebsd", "netbsd", "openbsd", "solaris"]

    // MARK: Formats

    private static func elf(_ b: [UInt8]) -> BinaryHeader? {
        guard b.count >= 20, b[0] == 0x7F, b[1] == 0x45, b[2] == 0x4C, b[3] == 0x46 else { return nil }
        let bigEndian = b[5] == 2
        let read16 = { (offset: Int) in
            bigEndian ? ByteOrder.bigEndian(b, at: offset, width: 2) : ByteOrder.littleEndian(b, at: offset, width: 2)
        }
        let type = read16(16)
        let machine = read16(18)
        let architecture: String
        switch machine {
        case 62: architecture = "x86_64"
        case 183: architecture = "aarch64"
        case 40: architecture = "arm"
        case 243: architecture = "riscv64"
        case 3: architecture = "x86"
        case 8: architecture = "mips"
        case 21: architecture = "powerpc64"
        case 22: architecture = "s390x"
        case 258: architecture = "loongarch64"
        default: architecture = hex(machine)
        }
        let os: String
        switch b[7] {
        case 2: os = "netbsd"
        case 6: os = "solaris"
        case 9: os = "freebsd"
        case 12: os = "openbsd"
        default: os = "linux"  // 0 (System V) and 3 (GNU/Linux); Linux toolchains write 0.
        }
        return BinaryHeader(format: .elf, architectures: [architecture], operatingSystem: os, isExecutable: type == 2 || type == 3)
    }

    private static func machOArchitecture(_ cpuType: UInt32) -> String {
        switch cpuType {
        case 0x0100_0007: "x86_64"
        case 0x0100_000C: "aarch64"
        case 7: "x86"
        case 12: "arm"
        default: hex(cpuType)
        }
    }

    private static func machO(_ b: [UInt8]) -> BinaryHeader? {
        // MH_MAGIC_64 / MH_MAGIC stored little-endian (every Mach-O target swash knows is little-endian).
        guard b.count >= 16, b[1] == 0xFA, b[2] == 0xED, b[3] == 0xFE, b[0] == 0xCF || b[0] == 0xCE else { return nil }
        let cpuType = ByteOrder.littleEndian(b, at: 4, width: 4)
        let fileType = ByteOrder.littleEndian(b, at: 12, width: 4)
        return BinaryHeader(
            format: .machO, architectures: [machOArchitecture(cpuType)], operatingSystem: "macos", isExecutable: fileType == 2)
    }

    private static func universal(_ b: [UInt8]) -> BinaryHeader? {
        // FAT_MAGIC / FAT_MAGIC_64, big-endian. Java class files share CAFEBABE; their version field makes the
        // architecture count ≥ 45, so a small count tells them apart (as file(1) does).
        guard b.count >= 8, b[0] == 0xCA, b[1] == 0xFE, b[2] == 0xBA, b[3] == 0xBE || b[3] == 0xBF else { return nil }
        let count = Int(ByteOrder.bigEndian(b, at: 4, width: 4))
        let entrySize = b[3] == 0xBE ? 20 : 32
        guard (1...30).contains(count), b.count >= 8 + count * entrySize else { return nil }
        let architectures = (0..<count).map { machOArchitecture(ByteOrder.bigEndian(b, at: 8 + $0 * entrySize, width: 4)) }
        // A universal file's members are all programs or all not; the slices' own headers lie beyond the prefix.
        return BinaryHeader(format: .universalMachO, architectures: architectures, operatingSystem: "macos", isExecutable: true)
    }

    private static func pe(_ b: [UInt8]) -> BinaryHeader? {
        guard b.count >= 0x40, b[0] == 0x4D, b[1] == 0x5A else { return nil }
        let offset = Int(ByteOrder.littleEndian(b, at: 0x3C, width: 4))
        guard offset <= b.count - 24, b[offset] == 0x50, b[offset + 1] == 0x45, b[offset + 2] == 0, b[offset + 3] == 0
        else { return nil }
        let machine = ByteOrder.littleEndian(b, at: offset + 4, width: 2)
        let characteristics = ByteOrder.littleEndian(b, at: offset + 22, width: 2)
        let architecture: String
        switch machine {
        case 0x8664: architecture = "x86_64"
        case 0xAA64: architecture = "aarch64"
        case 0x014C: architecture = "x86"
        case 0x01C4: architecture = "arm"
        default: architecture = hex(machine)
        }
        let executable = characteristics & 0x0002 != 0 && characteristics & 0x2000 == 0
        return BinaryHeader(format: .pe, architectures: [architecture], operatingSystem: "windows", isExecutable: executable)
    }

    private static func hex(_ value: some BinaryInteger) -> String { "machine 0x" + String(value, radix: 16) }
}

/// How a binary's header bears on the target name it is to be stored under (SPEC §3).
public enum TargetCheck: Sendable, Hashable {
    /// The header is of that architecture and operating system.
    case agrees
    /// The header names another architecture or operating system, and the name is made of a known architecture
    /// and a known operating system: the binary must not be stored under it.
    case contradicts(BinaryHeader)
    /// The name's architecture or operating system is not one a header can confirm (`mips64-android`): accepted
    /// with a warning.
    case unverifiableName(BinaryHeader)
    /// The file is no recognised executable (a script, a text file, an object file): accepted with a warning.
    case notAnExecutable(BinaryHeader?)

    /// Judges a binary's header against the target name it is to be stored under.
    /// - Parameters:
    ///   - header: the binary's header, `nil` when it is no ELF, Mach-O or PE file.
    ///   - target: the name.
    public init(header: BinaryHeader?, target: TargetName) {
        guard let header, header.isExecutable else {
            self = .notAnExecutable(header)
            return
        }
        if header.targetNames.contains(target) {
            self = .agrees
            return
        }
        let parts = target.rawValue.split(separator: "-", maxSplits: 1).map(String.init)
        let known =
            parts.count == 2 && BinaryHeader.namedArchitectures.contains(parts[0])
            && BinaryHeader.namedOperatingSystems.contains(parts[1])
        self = known ? .contradicts(header) : .unverifiableName(header)
    }
}
