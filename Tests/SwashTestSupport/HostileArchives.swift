import Foundation

/// An archive no honest tool writes, and the words its rejection must contain.
public struct HostileArchive: Sendable, CustomStringConvertible {
    /// A short label, also used as the file name.
    public let name: String
    /// The file's bytes.
    public let bytes: [UInt8]
    /// Text the error message must contain.
    public let expectedMessage: String
    /// True when the archive's structure is sound and only its claims are untrustworthy (a forged
    /// signature): a verifying read succeeds, the trust check fails.
    public let failsOnlyTrust: Bool

    public var description: String { name }
}

/// The catalogue of hostile archives, built from one valid token and the binary it hashes.
public enum HostileArchives {
    /// Builds every hostile variant.
    /// - Parameters:
    ///   - token: a valid `claims.jwt` for target `x86_64-linux` whose hash is that of `binary`.
    ///   - binary: the target's bytes.
    public static func all(token: String, binary: [UInt8]) -> [HostileArchive] {
        let claims = Array(token.utf8)
        func tar(_ build: (inout TarBuilder) -> Void) -> [UInt8] {
            var builder = TarBuilder()
            build(&builder)
            builder.end()
            return builder.bytes
        }
        let valid = tar {
            $0.add("claims.jwt", claims)
            $0.add("x86_64-linux.bin", binary)
        }
        let validGzip = GzipBuilder.compress(valid)
        func withClaims(_ edit: (String) -> String) -> [UInt8] {
            tar {
                $0.add("claims.jwt", Array(forgeClaims(token, edit).utf8))
                $0.add("x86_64-linux.bin", binary)
            }
        }
        var cases: [HostileArchive] = []
        func add(_ name: String, _ bytes: [UInt8], _ expected: String, trustOnly: Bool = false) {
            cases.append(HostileArchive(name: name, bytes: bytes, expectedMessage: expected, failsOnlyTrust: trustOnly))
        }
        func withEntry(
            _ name: String, _ data: [UInt8] = [], typeflag: UInt8? = nil, link: String = "", sizeField: [UInt8]? = nil
        ) -> [UInt8] {
            tar {
                $0.add("claims.jwt", claims)
                $0.add(name, data, typeflag: typeflag, linkName: link, sizeField: sizeField)
                $0.add("x86_64-linux.bin", binary)
            }
        }

        // Truncation, at several points of both layers.
        add("truncated-gzip-half", Array(validGzip.prefix(validGzip.count / 2)), "truncated")
        add("truncated-gzip-trailer", Array(validGzip.dropLast(4)), "gzip")
        add("truncated-gzip-header", Array(validGzip.prefix(6)), "gzip")
        add("truncated-tar-in-data", Array(valid.prefix(1024 + 512 + binary.count / 2)), "runcated")
        add("truncated-tar-in-header", Array(valid.prefix(1024 + 300)), "runcated")
        // The gzip trailer.
        var badCRC = validGzip
        badCRC[badCRC.count - 8] ^= 0xFF
        add("gzip-bad-crc", badCRC, "CRC-32")
        var badLength = validGzip
        badLength[badLength.count - 4] ^= 0x01
        add("gzip-bad-length", badLength, "gzip trailer mismatch")
        add("gzip-trailing-garbage", validGzip + Array("junk after the stream".utf8), "gzip trailer mismatch")
        add("gzip-two-members", GzipBuilder.compress(Array(valid.prefix(1024))) + GzipBuilder.compress(Array(valid.dropFirst(1024))), "gzip trailer mismatch")
        var flipped = validGzip
        flipped[validGzip.count / 2] ^= 0x10
        add("gzip-flipped-bit", flipped, "gzip")
        // Names.
        add("traversal", withEntry("../x86_64-linux.bin", binary), "'..' component")
        add("traversal-nested", withEntry("a/../../evil.bin", binary), "'..' component")
        add("absolute", withEntry("/etc/evil.bin", binary), "absolute path")
        add("nested-name", withEntry("dir/evil.bin", binary), "nested path")
        add("control-character", withEntry("evil\u{1B}[2J.bin", binary), "control character")
        add("backslash", withEntry("..\\evil.bin", binary), "backslash")
        add("non-utf8-name", tar {
            $0.add("claims.jwt", claims)
            $0.add(rawName: [0x65, 0xFF, 0xFE, 0x2E, 0x62, 0x69, 0x6E], binary)
        }, "not valid UTF-8")
        add("directory-traversal", withEntry("../../tmp/", typeflag: UInt8(ascii: "5")), "'..' component")
        // Entry types.
        add("symlink", withEntry("evil.bin", typeflag: UInt8(ascii: "2"), link: "/etc/passwd"), "symbolic link")
        add("hardlink", withEntry("evil.bin", typeflag: UInt8(ascii: "1"), link: "claims.jwt"), "hard link")
        add("char-device", withEntry("evil.bin", typeflag: UInt8(ascii: "3")), "character device")
        add("block-device", withEntry("evil.bin", typeflag: UInt8(ascii: "4")), "block device")
        add("fifo", withEntry("evil.bin", typeflag: UInt8(ascii: "6")), "FIFO")
        // Duplicates and missing parts.
        add("duplicate-target", withEntry("x86_64-linux.bin", binary), "second binary for target x86_64-linux")
        add("duplicate-claims", withEntry("claims.jwt", claims), "second claims token")
        add("missing-claims", tar { $0.add("x86_64-linux.bin", binary) }, "no claims.jwt")
        add("no-targets", tar { $0.add("claims.jwt", claims) }, "no target binary")
        add("target-without-hash", withEntry("aarch64-linux.bin", binary), "no hash for target aarch64-linux")
        add("wrong-hash", tar {
            $0.add("claims.jwt", claims)
            $0.add("x86_64-linux.bin", binary + [0])
        }, "SHA-256 is")
        add("forged-signature", withClaims { $0.replacingOccurrences(of: "\"vendor\":\"", with: "\"vendor\":\"evil ") }, "signature INVALID", trustOnly: true)
        add("target-named-claims", withClaims { $0.replacingOccurrences(of: "\"x86_64-linux\":", with: "\"claims\":") }, "cannot be a target name")
        add("target-named-world", withClaims { $0.replacingOccurrences(of: "\"x86_64-linux\":", with: "\"world\":") }, "cannot be a target name")
        // Claims content.
        add("claims-not-utf8", tar {
            $0.add("claims.jwt", claims + [0xC3, 0x28])
            $0.add("x86_64-linux.bin", binary)
        }, "not valid UTF-8")
        add("claims-garbage", tar {
            $0.add("claims.jwt", Array("not a token".utf8))
            $0.add("x86_64-linux.bin", binary)
        }, "malformed claims token")
        add("claims-huge", tar {
            $0.add("claims.jwt", [UInt8](repeating: UInt8(ascii: "a"), count: 2 << 20))
            $0.add("x86_64-linux.bin", binary)
        }, "over the 1048576-byte limit")
        // Sizes: a small gzip declaring a huge entry, and absurd size fields.
        var bomb = GzipBuilder()
        bomb.append(tar { $0.add("claims.jwt", claims) }.dropLast(1024))
        bomb.append(TarBuilder.header(name: Array("x86_64-linux.bin".utf8), size: 3 << 30, style: .washGNU, typeflag: nil, linkName: "", sizeField: nil))
        bomb.appendZeros(8 << 20)
        add("bomb-declared-3GiB", bomb.finish(), "over the 2147483648-byte limit")
        let base256: [UInt8] = [0x80, 0, 0, 0, 0x40, 0, 0, 0, 0, 0, 0, 0]  // 2^62
        add("absurd-size-base256", withEntry("evil.bin", sizeField: base256), "over the 2147483648-byte limit")
        add("absurd-size-octal", withEntry("evil.bin", sizeField: Array("77777777777".utf8) + [0]), "over the 2147483648-byte limit")
        add("negative-size-base256", withEntry("evil.bin", sizeField: [0xFF] + [UInt8](repeating: 0xFF, count: 11)), "negative size")
        // Not archives at all.
        var badChecksum = valid
        badChecksum[150] = UInt8(ascii: "7")
        add("bad-tar-checksum", badChecksum, "not a tar archive")
        add("empty-file", [], "empty")
        add("text-file", Array("hello, this is not an archive\n".utf8), "not a tar archive")
        return cases
    }

    /// Rewrites the claims JSON of a token without re-signing it (the signature no longer matches).
    public static func forgeClaims(_ token: String, _ edit: (String) -> String) -> String {
        let parts = token.split(separator: ".").map(String.init)
        let json = String(decoding: base64URLDecode(parts[1]), as: UTF8.self)
        return parts[0] + "." + base64URLEncode(Array(edit(json).utf8)) + "." + parts[2]
    }

    public static func base64URLDecode(_ text: String) -> [UInt8] {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return [UInt8](Data(base64Encoded: base64) ?? Data())
    }

    public static func base64URLEncode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}
