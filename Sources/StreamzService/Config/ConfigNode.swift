import Foundation
import Yams

/// A YAML node with its config path, so that every error names the line and the field.
struct ConfigNode {
    let node: Yams.Node
    /// "pipelines[0].source.format"; empty at the top.
    let field: String
    let decoder: ConfigDecoder

    var line: Int? { node.mark?.line }
    var column: Int? { node.mark?.column }

    func error(_ message: String) -> ConfigError {
        ConfigError(file: decoder.file, line: line, column: column, field: field.isEmpty ? nil : field, message: message)
    }

    func child(_ node: Yams.Node, key: String) -> ConfigNode {
        ConfigNode(node: node, field: field.isEmpty ? key : "\(field).\(key)", decoder: decoder)
    }

    func child(_ node: Yams.Node, index: Int) -> ConfigNode {
        ConfigNode(node: node, field: "\(field)[\(index)]", decoder: decoder)
    }

    /// The value under `key` when this is a mapping that has it, else this node: for
    /// pointing an error at the most precise place available.
    func child(key: String) -> ConfigNode {
        guard case .mapping(let mapping) = node, let value = mapping[key] else { return self }
        return child(value, key: key)
    }

    /// `key:` with nothing after it, `~` or `null`; quoted "null" is a string.
    var isNull: Bool {
        if case .scalar = node { return node.tag == Yams.Tag(.null) }
        return false
    }

    /// The scalar as written, before interpolation.
    var rawScalar: String? { node.scalar?.string }

    /// For "expected a list, got a string".
    var kindDescription: String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        case .scalar:
            switch node.tag {
            case Yams.Tag(.null): return "an empty value"
            case Yams.Tag(.int), Yams.Tag(.float): return "a number"
            case Yams.Tag(.bool): return "a boolean"
            default: return "a string"
            }
        }
    }

    // MARK: Typed access

    func mapping(allowedKeys: [String]?) throws(ConfigError) -> ConfigMapping {
        guard case .mapping(let mapping) = node else {
            throw error("expected a mapping, got \(kindDescription)")
        }
        var entries: [ConfigMapping.Entry] = []
        for (keyNode, valueNode) in mapping {
            let keyConfig = ConfigNode(node: keyNode, field: field, decoder: decoder)
            guard case .scalar(let scalar) = keyNode else {
                throw keyConfig.error("expected a key, got \(keyConfig.kindDescription)")
            }
            let key = scalar.string
            if key == "<<" && scalar.style == .plain {
                throw keyConfig.error("YAML merge keys ('<<') are not supported; write the keys out")
            }
            let keyAt = ConfigNode(node: keyNode, field: field.isEmpty ? key : "\(field).\(key)", decoder: decoder)
            if let allowedKeys, !allowedKeys.contains(key) {
                throw keyAt.error("unknown key '\(key)' (expected one of: \(allowedKeys.joined(separator: ", ")))")
            }
            entries.append(ConfigMapping.Entry(key: key, keyNode: keyAt, value: child(valueNode, key: key)))
        }
        return ConfigMapping(owner: self, entries: entries)
    }

    func list() throws(ConfigError) -> [ConfigNode] {
        guard case .sequence(let sequence) = node else {
            throw error("expected a list, got \(kindDescription)")
        }
        return sequence.enumerated().map { child($0.element, index: $0.offset) }
    }

    /// Any scalar but null, with `${…}` filled in from the environment.
    func string() throws(ConfigError) -> String {
        guard case .scalar(let scalar) = node, !isNull else {
            throw error("expected a string, got \(kindDescription)")
        }
        do {
            return try EnvironmentInterpolation.expand(scalar.string, environment: decoder.environment)
        } catch {
            throw self.error(error.message)
        }
    }

    /// Read from the text after interpolation, so `port: ${PORT:-9464}` works.
    func integer() throws(ConfigError) -> Int {
        guard case .scalar = node, !isNull else {
            throw error("expected an integer, got \(kindDescription)")
        }
        let text = try string().trimmingCharacters(in: .whitespaces)
        guard let value = Int(text) else { throw error("expected an integer, got '\(text)'") }
        return value
    }

    func duration(allowZero: Bool) throws(ConfigError) -> Duration {
        guard case .scalar = node, !isNull else {
            throw error("expected a duration like 500ms, 2s, 1m, 1h or 1d, got \(kindDescription)")
        }
        let text = try string()
        do {
            return try ConfigDuration.parse(text, allowZero: allowZero)
        } catch {
            throw self.error(error.message)
        }
    }

    func choice<Choice: RawRepresentable & CaseIterable>(_ type: Choice.Type) throws(ConfigError) -> Choice
    where Choice.RawValue == String {
        let text = try string()
        guard let value = Choice(rawValue: text) else {
            throw error("unknown value '\(text)' (expected \(Self.alternatives(Choice.allCases.map(\.rawValue))))")
        }
        return value
    }

    func topicName() throws(ConfigError) -> String {
        let topic = try string()
        guard ConfigNames.isTopicName(topic) else {
            throw error("'\(topic)' is not a valid Kafka topic name (expected 1 to 249 of [A-Za-z0-9._-], not '.' or '..')")
        }
        return topic
    }

    /// The expression as written (interpolated), checked by the runtime's expression
    /// parser on the spot so errors come in file order.
    func expression(_ kind: ExpressionKind) throws(ConfigError) -> ExpressionText {
        guard case .scalar = node, !isNull else {
            throw error("expected an expression, got \(kindDescription)")
        }
        let text = try string()
        guard !text.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw error("expected an expression, got an empty string")
        }
        let expression = ExpressionText(text: text, line: line ?? 0, column: column ?? 0, field: field)
        if let problem = decoder.checkExpression(expression, kind) {
            throw error("column \(problem.column) of the expression: \(problem.message)")
        }
        return expression
    }

    /// "json, text or bytes".
    static func alternatives(_ names: [String]) -> String {
        guard names.count > 1 else { return names.first ?? "" }
        return names.dropLast().joined(separator: ", ") + " or " + names[names.count - 1]
    }
}
