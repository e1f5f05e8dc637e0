import ArgumentParser

extension Swash {
    /// `swash keys …`: generate and read nkeys.
    struct Keys: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Generate, show and list nkeys (the keys that sign provider archives).",
            discussion: """
                Keys live as seed files (<name>.nk, mode 0600) in the keys directory: \
                --keys-directory, else $WASH_KEYS, else ~/.wash/keys — the same place wash uses.
                """,
            subcommands: [Gen.self, Get.self, List.self])
    }
}
