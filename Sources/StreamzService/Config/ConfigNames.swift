/// The shapes of names the config passes on to Kafka, PostgreSQL and metrics.
enum ConfigNames {
    /// Consumer group suffixes and metric labels.
    static func isPipelineName(_ name: String) -> Bool {
        !name.isEmpty && name.unicodeScalars.allSatisfy { isAlphanumeric($0) || $0 == "_" || $0 == "-" }
    }

    /// Kafka's own rule: 1 to 249 of [A-Za-z0-9._-], and not "." or "..".
    static func isTopicName(_ name: String) -> Bool {
        let scalars = name.unicodeScalars
        guard (1...249).contains(scalars.count), name != ".", name != ".." else { return false }
        return scalars.allSatisfy { isAlphanumeric($0) || $0 == "." || $0 == "_" || $0 == "-" }
    }

    /// PostgreSQL truncates identifiers past 63 bytes, which would make two names one.
    static func isIdentifier<S: StringProtocol>(_ name: S) -> Bool {
        let scalars = name.unicodeScalars
        guard let first = scalars.first, (1...63).contains(scalars.count) else { return false }
        guard first == "_" || isLetter(first) else { return false }
        return scalars.allSatisfy { isAlphanumeric($0) || $0 == "_" }
    }

    /// `table` or `schema.table`.
    static func isTableName(_ name: String) -> Bool {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        return (1...2).contains(parts.count) && parts.allSatisfy(isIdentifier)
    }

    /// `ts`, `meta.ts`: non-empty parts without spaces.
    static func isFieldPath(_ path: String) -> Bool {
        let parts = path.split(separator: ".", omittingEmptySubsequences: false)
        return parts.allSatisfy { part in
            !part.isEmpty && !part.unicodeScalars.contains { $0.properties.isWhitespace }
        }
    }

    private static func isLetter(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar)
    }

    private static func isAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        isLetter(scalar) || ("0"..."9").contains(scalar)
    }
}
