/// SQL identifiers are quoted, never spliced: `"name"` with embedded quotes doubled.
/// Values are never quoted by hand at all: they go as bound parameters.
public enum SQLIdentifier {
    /// The quoted form of `name`. A NUL cannot be part of an identifier, so it is an error.
    public static func quote(_ name: String) throws -> String {
        guard !name.isEmpty, !name.utf8.contains(0), name.utf8.count <= 63 else {
            throw PostgresError(kind: .permanent, sqlState: "42602",
                                message: "invalid identifier: \(name.debugDescription.prefix(80))")
        }
        var quoted = "\""
        for character in name {
            if character == "\"" { quoted.append("\"\"") } else { quoted.append(character) }
        }
        quoted.append("\"")
        return quoted
    }

    /// `schema.table` or `table`, each part quoted.
    public static func qualified(_ name: String) throws -> String {
        try name.split(separator: ".", maxSplits: 1).map { try quote(String($0)) }.joined(separator: ".")
    }
}
