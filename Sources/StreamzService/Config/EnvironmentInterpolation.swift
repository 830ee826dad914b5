/// `${NAME}` and `${NAME:-default}` in scalar values, filled in after parsing so that
/// line numbers stay those of the file.
///
/// `$${` is a literal `${`. An unset variable without a default is empty (a config can
/// then treat "empty" as "not configured", as postgres.url does). Like the shell, `:-`
/// also replaces a variable that is set but empty. Substituted values are not scanned
/// again, so a secret containing `${` stays as it is.
enum EnvironmentInterpolation {
    struct Malformed: Error {
        let message: String
    }

    static func expand(_ text: String, environment: [String: String]) throws(Malformed) -> String {
        guard text.contains("$") else { return text }
        var output = ""
        var index = text.startIndex
        while index < text.endIndex {
            let rest = text[index...]
            if rest.hasPrefix("$${") {
                output += "${"
                index = text.index(index, offsetBy: 3)
            } else if rest.hasPrefix("${") {
                let reference = try parseReference(rest)
                let value = environment[reference.name] ?? ""
                if value.isEmpty, let fallback = reference.fallback {
                    output += fallback
                } else {
                    output += value
                }
                index = reference.end
            } else {
                output.append(text[index])
                index = text.index(after: index)
            }
        }
        return output
    }

    /// The variables a scalar refers to, for messages such as "DATABASE_URL is empty or unset".
    static func referencedNames(in text: String) -> [String] {
        var names: [String] = []
        var index = text.startIndex
        while index < text.endIndex {
            let rest = text[index...]
            if rest.hasPrefix("$${") {
                index = text.index(index, offsetBy: 3)
            } else if rest.hasPrefix("${"), let reference = try? parseReference(rest) {
                names.append(reference.name)
                index = reference.end
            } else {
                index = text.index(after: index)
            }
        }
        return names
    }

    private struct Reference {
        let name: String
        let fallback: String?
        /// Just past the closing brace.
        let end: String.Index
    }

    /// `text` starts with "${".
    private static func parseReference(_ text: Substring) throws(Malformed) -> Reference {
        let bodyStart = text.index(text.startIndex, offsetBy: 2)
        guard let close = text[bodyStart...].firstIndex(of: "}") else {
            throw Malformed(message: "unclosed '${' in '\(text)' (write $${ for a literal ${)")
        }
        let body = text[bodyStart..<close]
        let name: Substring
        let fallback: Substring?
        if let separator = body.firstRange(of: ":-") {
            name = body[..<separator.lowerBound]
            fallback = body[separator.upperBound...]
        } else {
            name = body
            fallback = nil
        }
        guard isVariableName(name) else {
            throw Malformed(message: "malformed variable reference '\(text[...close])' (expected ${NAME} or ${NAME:-default}, NAME being letters, digits and '_', not starting with a digit)")
        }
        return Reference(name: String(name), fallback: fallback.map(String.init), end: text.index(after: close))
    }

    private static func isVariableName(_ name: Substring) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || isASCIILetter(first) else { return false }
        return name.unicodeScalars.allSatisfy { $0 == "_" || isASCIILetter($0) || ("0"..."9").contains($0) }
    }

    private static func isASCIILetter(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar)
    }
}
