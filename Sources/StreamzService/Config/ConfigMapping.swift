/// A YAML mapping whose keys were checked against the allowed ones, in file order.
struct ConfigMapping {
    struct Entry {
        let key: String
        /// Positioned on the key, for errors about the key itself.
        let keyNode: ConfigNode
        let value: ConfigNode
    }

    let owner: ConfigNode
    let entries: [Entry]

    func entry(_ key: String) -> Entry? {
        entries.first { $0.key == key }
    }

    /// nil when absent or null: `dead_letter:` with nothing after it means no dead letter.
    func value(_ key: String) -> ConfigNode? {
        guard let value = entry(key)?.value, !value.isNull else { return nil }
        return value
    }

    /// Present, though possibly null: the typed accessor then says what it expected.
    func required(_ key: String) throws(ConfigError) -> ConfigNode {
        guard let value = entry(key)?.value else { throw missing(key) }
        return value
    }

    func missing(_ key: String, because reason: String? = nil) -> ConfigError {
        owner.error("missing required key '\(key)'" + (reason.map { " (\($0))" } ?? ""))
    }
}
