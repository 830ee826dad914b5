/// A field of the record, such as `a.b[2].c`: the first component is always a key of
/// the record itself.
struct FieldPath: Sendable {
    enum Component: Sendable {
        case key(String)
        case index(Int)
    }

    let components: [Component]
    /// Canonical spelling, whatever the whitespace in the source.
    let text: String

    init(_ components: [Component]) {
        self.components = components
        self.text = Self.spell(components[...])
    }

    /// The value at this path. With `missingAsNull` (inside `coalesce`) a path that does
    /// not resolve is null instead of an error.
    func resolve(in root: JSONValue, missingAsNull: Bool = false) throws(EvaluationError) -> JSONValue {
        try resolve(in: root, from: 0, missingAsNull: missingAsNull)
    }

    /// The rest of the path, from component `start`, in `value` (the value the
    /// components before it lead to): the same value or error as the whole path.
    func resolve(in value: JSONValue, from start: Int, missingAsNull: Bool = false) throws(EvaluationError) -> JSONValue {
        var current = value
        for i in start..<components.count {
            switch components[i] {
            case .key(let name):
                guard case .object(let object) = current else {
                    if missingAsNull { return .null }
                    throw EvaluationError(
                        i == 0 ? "record is not an object, cannot read '\(name)'" : "field '\(prefix(i))' is not an object")
                }
                guard let value = object[name] else {
                    if missingAsNull { return .null }
                    throw EvaluationError("missing field '\(prefix(i + 1))'")
                }
                current = value
            case .index(let position):
                guard case .array(let array) = current else {
                    if missingAsNull { return .null }
                    throw EvaluationError("field '\(prefix(i))' is not an array")
                }
                guard position < array.count else {
                    if missingAsNull { return .null }
                    throw EvaluationError(
                        "index \(position) out of range of array of \(array.count) in '\(prefix(i + 1))'")
                }
                current = array[position]
            }
        }
        return current
    }

    /// The first `count` components, spelled as in error messages.
    func prefix(_ count: Int) -> String { Self.spell(components[..<count]) }

    private static func spell(_ components: ArraySlice<Component>) -> String {
        var text = ""
        for component in components {
            switch component {
            case .key(let name): text += text.isEmpty ? name : "." + name
            case .index(let position): text += "[\(position)]"
            }
        }
        return text
    }
}
