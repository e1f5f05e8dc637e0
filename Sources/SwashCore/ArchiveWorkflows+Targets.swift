import FileIO
import Foundation
import ProviderArchiveKit

extension ArchiveWorkflows {
    /// The target name a binary is stored under, judged by its header (SPEC §3): the name given when the header
    /// agrees; the header's when none is given; the host's for a file that is no recognised executable.
    ///
    /// A header that contradicts a name made of a known architecture and operating system is refused; an
    /// unverifiable name, or a file that is no executable, is accepted with a warning, returned for the caller to
    /// give once the archive is written (a failing command shows only its error).
    /// - Parameters:
    ///   - binary: the file to be stored.
    ///   - requested: `-a`, or the target a build was for; `nil` to infer it.
    /// - Returns: the target, and the warning to give, if any.
    /// - Throws: `FileSystemError` when the file cannot be read, `ProviderArchiveError.binaryContradictsTarget`,
    ///   `.targetUndetermined` for a universal binary without a name.
    public static func judgeTarget(of binary: URL, requested: TargetName?) throws -> (target: TargetName, warning: String?) {
        let header = BinaryHeader(prefix: try FileStatus.readPrefix(binary, count: BinaryHeader.prefixLength))
        guard let target = requested else {
            guard let header, header.isExecutable, let first = header.targetNames.first else {
                let what = header.map { $0.withArticle } ?? "no recognised executable (ELF, Mach-O or PE)"
                return (.host, "warning: \"\(binary.path)\" is \(what); it is stored as \(TargetName.host), this machine's target; name another with -a")
            }
            guard header.targetNames.count == 1 else {
                throw ProviderArchiveError.targetUndetermined(path: binary.path, candidates: header.targetNames.map(\.rawValue))
            }
            return (first, nil)
        }
        switch TargetCheck(header: header, target: target) {
        case .agrees:
            return (target, nil)
        case .contradicts(let header):
            throw ProviderArchiveError.binaryContradictsTarget(path: binary.path, target: target.rawValue, header: header)
        case .unverifiableName(let header):
            return (target, "warning: \"\(binary.path)\" is \(header.withArticle); \(target) is not a name swash can check against it (known: <x86_64|aarch64|arm|riscv64|x86>-<linux|macos|windows>), so it is stored unchecked")
        case .notAnExecutable(let header):
            let what = header.map { $0.withArticle } ?? "no recognised executable (ELF, Mach-O or PE)"
            return (target, "warning: \"\(binary.path)\" is \(what); it is stored as \(target) unchecked")
        }
    }
}
