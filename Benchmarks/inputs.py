"""Benchmark inputs shared by Benchmarks/archive/run and Benchmarks/registry/run: made from this machine's own
files, deterministic (sorted paths, cut to the exact size)."""
import os, subprocess, sys

MiB = 1 << 20


def elf_files(roots, exclude=()):
    """Every regular ELF file below `roots` (symlinks skipped), in sorted order."""
    found = []
    for top in roots:
        for directory, subdirectories, names in os.walk(top):
            subdirectories[:] = sorted(d for d in subdirectories if os.path.join(directory, d) not in exclude)
            for name in sorted(names):
                path = os.path.join(directory, name)
                if os.path.islink(path) or not os.path.isfile(path):
                    continue
                try:
                    with open(path, "rb") as f:
                        if f.read(4) == b"\x7fELF":
                            found.append(path)
                except OSError:
                    pass
    return found


def concatenate(work, name, files, size, prefix=b""):
    """`size` bytes: `prefix`, then the files one after another, cut at `size`."""
    path = os.path.join(work, name)
    written = len(prefix)
    with open(path, "wb") as out:
        out.write(prefix)
        for file in files:
            with open(file, "rb") as f:
                data = f.read(size - written)
            out.write(data)
            written += len(data)
            if written == size:
                return path
    sys.exit(f"not enough ELF files for {name}: {written} of {size} bytes")


# The second and third targets are x86_64 ELF bytes too: their first 64 bytes are zeroed so swash's header check
# (SPEC §3) sees no executable header to contradict their aarch64 labels (it warns and stores them).
NO_HEADER = bytes(64)


def three_targets(work):
    """Three 96 MiB target files: (target, path)."""
    return [
        ("x86_64-linux", concatenate(work, "lib-gnu", elf_files(["/usr/lib/x86_64-linux-gnu"]), 96 * MiB)),
        ("aarch64-linux", concatenate(work, "lib-rest", elf_files(["/usr/lib"], ("/usr/lib/x86_64-linux-gnu",)), 96 * MiB, NO_HEADER)),
        ("aarch64-macos", concatenate(work, "bin-reversed", elf_files(["/usr/bin", "/usr/sbin", "/usr/libexec"])[::-1], 96 * MiB, NO_HEADER)),
    ]


def make_three(swash, work, env, targets):
    """The archive with the three targets, made by swash itself (`par create`, then two `par insert`)."""
    def run(argv):
        subprocess.run(argv, env=env, cwd=work, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    three = os.path.join(work, "three.par.gz")
    run([swash, "par", "create", "-n", "bench", "-v", "bench", "-b", targets[0][1], "-a", targets[0][0], "--compress",
         "--destination", three])
    for target, path in targets[1:]:
        run([swash, "par", "insert", three, "-b", path, "-a", target])
    return three
