import Foundation

/// A keyed event-time window step.
public struct WindowStepConfig: Sendable, Equatable {
    public var kind: WindowKindConfig
    /// Set for tumbling, hopping and sliding windows; nil for sessions.
    public var size: Duration?
    /// How long after its end a window still takes late records.
    public var grace: Duration
    /// Field paths or expressions; empty means one global key.
    public var key: [ExpressionText]
    /// In file order; at least one.
    public var aggregate: [AggregateSpec]
    public var emit: EmitMode
    /// Closes windows after this much wall-clock silence, so a quiet topic still emits.
    public var closeOnIdle: Duration?

    public init(kind: WindowKindConfig, size: Duration?, grace: Duration = .zero, key: [ExpressionText] = [],
                aggregate: [AggregateSpec], emit: EmitMode = .final, closeOnIdle: Duration? = nil) {
        self.kind = kind
        self.size = size
        self.grace = grace
        self.key = key
        self.aggregate = aggregate
        self.emit = emit
        self.closeOnIdle = closeOnIdle
    }
}

extension WindowStepConfig {
    static let yamlKeys = ["kind", "size", "advance", "gap", "grace", "key", "aggregate", "emit", "close_on_idle"]
    static let yamlKinds = ["tumbling", "hopping", "sliding", "session"]
    /// Columns every window result has.
    static let boundaryColumns = ["window_start", "window_end"]

    init(from node: ConfigNode) throws(ConfigError) {
        let window = try node.mapping(allowedKeys: Self.yamlKeys)
        let kindNode = try window.required("kind")
        let kindName = try kindNode.string()
        guard Self.yamlKinds.contains(kindName) else {
            throw kindNode.error("unknown value '\(kindName)' (expected \(ConfigNode.alternatives(Self.yamlKinds)))")
        }
        let size = try window.value("size")?.duration(allowZero: false)
        let advance = try window.value("advance")?.duration(allowZero: false)
        let gap = try window.value("gap")?.duration(allowZero: false)
        if kindName != "hopping", let advanceEntry = window.entry("advance") {
            throw advanceEntry.keyNode.error("'advance' is only for hopping windows")
        }
        if kindName != "session", let gapEntry = window.entry("gap") {
            throw gapEntry.keyNode.error("'gap' is only for session windows")
        }

        let kind: WindowKindConfig
        switch kindName {
        case "session":
            if let sizeEntry = window.entry("size") {
                throw sizeEntry.keyNode.error("a session window has no size (it grows with the data; set gap)")
            }
            guard let gap else { throw window.missing("gap", because: "a session window needs it") }
            kind = .session(gap: gap)
        case "hopping":
            guard size != nil else { throw window.missing("size", because: "a hopping window needs it") }
            guard let advance else { throw window.missing("advance", because: "a hopping window needs it") }
            if let size, advance > size, let advanceNode = window.value("advance") {
                throw advanceNode.error("advance \(ConfigDuration.format(advance)) must not exceed size \(ConfigDuration.format(size)) (windows would leave gaps)")
            }
            kind = .hopping(advance: advance)
        default:
            guard size != nil else { throw window.missing("size", because: "a \(kindName) window needs it") }
            kind = kindName == "tumbling" ? .tumbling : .sliding
        }

        var config = WindowStepConfig(kind: kind, size: size, aggregate: [])
        if let graceNode = window.value("grace") { config.grace = try graceNode.duration(allowZero: true) }
        if let keyNode = window.value("key") {
            for element in try keyNode.list() {
                config.key.append(try element.expression(.windowKey))
            }
        }
        config.aggregate = try Self.aggregates(window.required("aggregate"), keys: config.key)
        if let emitNode = window.value("emit") { config.emit = try emitNode.choice(EmitMode.self) }
        if let idleNode = window.value("close_on_idle") {
            // 0s means off, like http.port 0: a zero interval would spin the idle timer.
            let idle = try idleNode.duration(allowZero: true)
            config.closeOnIdle = idle == .zero ? nil : idle
        }
        self = config
    }

    private static func aggregates(_ node: ConfigNode, keys: [ExpressionText]) throws(ConfigError) -> [AggregateSpec] {
        let entries = try node.mapping(allowedKeys: nil).entries
        guard !entries.isEmpty else { throw node.error("needs at least one aggregate, e.g. {count: \"count()\"}") }
        // Key columns are named after the key's field path (or its last part); an aggregate
        // of the same name would overwrite it in the output row.
        let keyNames = Set(keys.flatMap { key in
            let text = key.text.trimmingCharacters(in: .whitespaces)
            return [text, String(text.split(separator: ".").last ?? "")]
        })
        var specs: [AggregateSpec] = []
        for entry in entries {
            let name = entry.key
            guard ConfigNames.isIdentifier(name) else {
                throw entry.keyNode.error("aggregate name '\(name)' is not an identifier (expected [A-Za-z_][A-Za-z0-9_]{0,62}: it becomes a column)")
            }
            if boundaryColumns.contains(name) {
                throw entry.keyNode.error("aggregate name '\(name)' is reserved (window results have window_start and window_end columns)")
            }
            if keyNames.contains(name) {
                throw entry.keyNode.error("aggregate name '\(name)' clashes with the window key '\(name)'")
            }
            specs.append(AggregateSpec(name: name, call: try entry.value.expression(.aggregate)))
        }
        return specs
    }
}
