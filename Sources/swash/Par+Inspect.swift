extension Swash.Par {
    /// `swash par inspect`: the same command as `swash inspect` (see `Inspect.swift`).
    typealias Inspect = Swash.Inspect
}
