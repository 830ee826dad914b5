import Yams

/// Turns Yams' errors into `ConfigError`s with the line and column it found.
enum YAMLSyntaxError {
    static func configError(from error: any Error, file: String, text: String) -> ConfigError {
        guard let yamlError = error as? YamlError else {
            return ConfigError(file: file, message: "invalid YAML: \(error)")
        }
        switch yamlError {
        case let .scanner(context, problem, mark, _),
             let .parser(context, problem, mark, _),
             let .composer(context, problem, mark, _):
            return ConfigError(file: file, line: mark.line, column: mark.column,
                               message: message(problem: problem, context: context, at: mark, in: text))
        case let .reader(problem, offset, _, _):
            let position = offset.map { lineAndColumn(ofCharacterOffset: $0, in: text) }
            return ConfigError(file: file, line: position?.line, column: position?.column,
                               message: "unreadable YAML: \(problem)")
        case let .duplicatedKeysInMapping(duplicates, context):
            return duplicateKey(duplicates.first ?? "", first: context.mark, file: file, text: text)
        default:
            return ConfigError(file: file, message: "invalid YAML: \(yamlError)")
        }
    }

    private static func message(problem: String, context: YamlError.Context?, at mark: Yams.Mark, in text: String) -> String {
        if character(at: mark, in: text) == "\t" {
            return "invalid YAML: a tab character (YAML indents with spaces only)"
        }
        if problem == "but found another document" {
            return "the file holds more than one YAML document (a config is one document)"
        }
        let during = context.map { context in
            context.mark.line == mark.line ? " (\(context.text))" : " (\(context.text) from line \(context.mark.line))"
        } ?? ""
        return "invalid YAML: \(problem)\(during)"
    }

    /// Yams reports where the key first appears; the mistake is usually the later one,
    /// which for a block mapping is the next line with the same key at the same column.
    private static func duplicateKey(_ key: String, first: Yams.Mark, file: String, text: String) -> ConfigError {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let indent = first.column - 1
        var lineIndex = first.line   // 0-based: the line after the first occurrence
        while lineIndex < lines.count {
            let scalars = Array(lines[lineIndex].unicodeScalars)
            let leading = scalars.prefix { $0 == " " }.count
            let isContent = leading < scalars.count && scalars[leading] != "#"
            if isContent && leading < indent { break }   // the mapping ended
            if leading == indent {
                let rest = String(String.UnicodeScalarView(scalars[leading...]))
                if [key, "\"\(key)\"", "'\(key)'"].contains(where: { rest.hasPrefix($0 + ":") || rest.hasPrefix($0 + " :") }) {
                    return ConfigError(file: file, line: lineIndex + 1, column: first.column,
                                       message: "duplicate key '\(key)' (first at line \(first.line))")
                }
            }
            lineIndex += 1
        }
        return ConfigError(file: file, line: first.line, column: first.column,
                           message: "duplicate key '\(key)' (a key may appear once per mapping)")
    }

    private static func character(at mark: Yams.Mark, in text: String) -> Unicode.Scalar? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard mark.line >= 1, mark.line <= lines.count else { return nil }
        let scalars = Array(lines[mark.line - 1].unicodeScalars)
        return mark.column >= 1 && mark.column <= scalars.count ? scalars[mark.column - 1] : nil
    }

    private static func lineAndColumn(ofCharacterOffset offset: Int, in text: String) -> (line: Int, column: Int) {
        var line = 1
        var column = 1
        for character in text.prefix(offset) {
            if character.isNewline {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        return (line, column)
    }
}
